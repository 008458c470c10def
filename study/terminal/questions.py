"""`study questions`: the question bank (hand-written and generated) as text, JSON or counts."""

from __future__ import annotations

import json
import sys
from collections import Counter

from study.content import normalise_section

EXIT_BAD_INPUT = 2


def load_problems() -> list:
    """Problems that stop the bank from being built: bad template or bank files."""
    from study.quiz.bank import load_bank
    from study.quiz.templates import load_templates

    return list(load_templates().problems) + list(load_bank().problems)


def said_problems() -> bool:
    """Print every problem that stops the bank from being built (file:line:col: why); True when there were any."""
    problems = load_problems()
    for p in problems:
        print(f"study: {p}", file=sys.stderr)
    return bool(problems)


def questions_command(args) -> int:
    try:
        section = normalise_section(getattr(args, "section", None))
    except ValueError as err:
        print(f"study questions: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if said_problems():
        return EXIT_BAD_INPUT
    from study.quiz import all_questions
    from study.quiz.generate import generation_report

    seed = getattr(args, "seed", 0) or 0
    questions = all_questions(seed=seed, section=section)
    if getattr(args, "audit", False):
        from study.quiz.audit import audit, render

        sys.stdout.write(render(audit(questions), f"seed {seed}" + (f", section {section}" if section else ""),
                                generation_report(seed).left_out))
        return 0
    if getattr(args, "stats", False):
        stats = statistics(questions, generation_report(seed))
        if getattr(args, "json", False):
            sys.stdout.write(json.dumps(stats, indent=2, ensure_ascii=False) + "\n")
        else:
            print_stats(stats)
        return 0
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps([q.to_json() for q in questions], indent=2, ensure_ascii=False) + "\n")
        return 0
    print_questions(questions)
    return 0


def statistics(questions: list, report=None) -> dict:
    """Counts per section, template, rule and trigger type, and the totals the issue sets as targets."""
    from study.content import load_rules

    generated = [q for q in questions if q.source == "generated"]
    simulated = [q for q in generated if q.scenario is not None]
    sim_templates = {q.template for q in simulated if not (q.template or "").startswith("lab.")}
    shapes = {(q.stem, tuple(sorted(o.text for o in q.options))) for q in questions}
    rules = load_rules().rules
    per_rule = Counter(r for q in questions for r in q.rules)
    out = {
        "total": len(questions),
        "bank": len(questions) - len(generated),
        "generated": len(generated),
        "simulation_backed": len(simulated),
        "distinct_stem_and_options": len(shapes),
        "simulation_templates": len(sim_templates),
        "fact_templates": len({q.template for q in generated if q.scenario is None}),
        "lab_questions": sum(1 for q in generated if (q.template or "").startswith("lab.")),
        "per_trigger": dict(sorted(Counter(q.trigger for q in simulated).items())),
        "per_kind": dict(sorted(Counter(q.kind for q in questions).items())),
        "per_section": dict(sorted(Counter(q.section for q in questions).items(),
                                   key=lambda kv: [int(x) for x in kv[0].split(".")])),
        # The chapter map counts the hand-written bank per section ("14 q"): the same figure, beside the total.
        "per_section_bank": dict(sorted(Counter(q.section for q in questions if q.source == "bank").items(),
                                        key=lambda kv: [int(x) for x in kv[0].split(".")])),
        "per_template": dict(sorted(Counter(q.template or f"bank {q.section}" for q in questions).items())),
        "per_rule": {rid: per_rule.get(rid, 0) for rid in rules},
        "rules_without_question": [rid for rid in rules if not per_rule.get(rid)],
    }
    if report is not None:
        out["emulator_runs"] = report.runs
        out["cache_hits"] = report.hits
        out["redraws"] = sum(sum(c.values()) for c in report.redraws.values())
    return out


def print_stats(stats: dict) -> None:
    w = sys.stdout.write
    for key in ("total", "bank", "generated", "simulation_backed", "distinct_stem_and_options",
                "simulation_templates", "fact_templates", "lab_questions", "emulator_runs", "cache_hits", "redraws"):
        if key in stats:
            w(f"{key.replace('_', ' '):28s} {stats[key]:>6}\n")
    for title, key in (("per trigger type", "per_trigger"), ("per kind", "per_kind"),
                       ("per section (all; the map's 'q' counts the hand-written bank)", "per_section"),
                       ("per template", "per_template"), ("per rule", "per_rule")):
        w(f"\n{title}\n")
        bank = stats.get("per_section_bank", {}) if key == "per_section" else {}
        for name, n in stats[key].items():
            extra = f"   bank {bank.get(name, 0):>3}, generated {n - bank.get(name, 0):>4}" if bank else ""
            w(f"  {name:44s} {n:>6}{extra}\n")
    missing = stats["rules_without_question"]
    w(f"\nrules without a question: {', '.join(missing) if missing else 'none'}\n")


def print_questions(questions: list) -> None:
    from study.quiz.model import present

    w = sys.stdout.write
    for q in questions:
        w(f"{q.id}  [{q.section} {q.kind} {q.source}{' ' + q.template if q.template else ''}]\n")
        w(f"  rules: {', '.join(q.rules)}\n")
        w(f"  {q.stem}\n")
        shown = present(q, q.id)
        for label, o in shown.labelled():
            mark = "*" if o.correct else " "
            tag = f"  [{o.misconception}]" if o.misconception else ""
            w(f"   {mark} {label}. {o.text}{tag}\n")
        if q.kind == "numeric":
            w(f"  answer: {q.answer['text']} (graded to {q.answer['precision']})\n")
        elif q.kind == "order":
            w(f"  order: {' -> '.join(q.answer)}\n")
        w("\n")
