"""`study check`: validate every lesson, the rules table, every lab and every question; `file:line` messages."""

from __future__ import annotations

import sys

from study import paths
from study.sim.errors import ScenarioError


def _lessons(rule_ids: set[str]) -> tuple[list[str], int]:
    from study.content import SECTIONS, ContentError, parse_lesson

    problems: list[str] = []
    seen: set[str] = set()
    files = sorted(paths.lessons_dir().glob("*.md"))
    for path in files:
        try:
            lesson = parse_lesson(path)
        except ContentError as err:
            problems.append(str(err))
            continue
        seen.add(lesson.section)
        text = path.read_text(encoding="utf-8")
        for rid in lesson.rules:
            if rid not in rule_ids:
                line = next((i for i, t in enumerate(text.splitlines(), 1) if rid in t), 2)
                problems.append(f"{path}:{line}: rules: {rid!r} is not a rule id of content/rules.yaml")
    for s in SECTIONS:
        if s not in seen:
            problems.append(f"{paths.lessons_dir()}: no lesson for section {s}")
    return problems, len(files)


def _labs(rule_ids: set[str]) -> tuple[list[str], int]:
    from study.sim.config import lab_predicts_refusal, load_scenario
    from study.sim.expect import PathError, resolve
    from study.sim.run import simulate

    problems: list[str] = []
    files = sorted(paths.labs_dir().glob("*.yaml"))
    for path in files:
        from study.sim import yamlpos

        try:
            raw, marks = yamlpos.load_file(str(path))
        except ScenarioError as err:
            problems.append(str(err))
            continue
        lab = raw.get("lab") if isinstance(raw, dict) else None
        if not isinstance(lab, dict):
            problems.append(f"{path}:1:1: a lab needs a `lab` block (description, rules, predict)")
            continue
        refused = lab_predicts_refusal(lab)
        rules = lab.get("rules")
        for i, rid in enumerate(rules if isinstance(rules, list) else []):
            # Anything but a list of ids is the scenario checker's to word (below).
            if isinstance(rid, str) and rid not in rule_ids:
                line, col = marks.get(("lab", "rules", i)) or (None, None)
                problems.append(f"{path}:{line}:{col}: lab.rules: {rid!r} is not a rule id of content/rules.yaml")
        try:
            scenario = load_scenario(path)
        except ScenarioError as err:
            if not refused:
                problems.append(str(err))
            continue
        if refused:
            problems.append(f"{path}:1:1: the lab predicts a refused configuration, but the scenario is accepted")
            continue
        trace = simulate(scenario)
        for i, pred in enumerate(lab.get("predict") or []):
            try:
                value = resolve(trace, pred["answer"])
            except PathError as err:
                line, col = marks.get(("lab", "predict", i, "answer")) or (None, None)
                problems.append(f"{path}:{line}:{col}: {err}")
                continue
            if pred.get("kind") == "choice" and value not in (pred.get("options") or []):
                line, col = marks.get(("lab", "predict", i, "options")) or (None, None)
                problems.append(f"{path}:{line}:{col}: the true answer {value!r} is not among the options")
    return problems, len(files)


def _questions() -> tuple[list[str], int | None]:
    try:
        from study.quiz.check import check_questions
    except ImportError:
        return [], None
    found = check_questions()
    return [str(p) for p in found], len(list(paths.questions_dir().rglob("*.yaml")))


def _demos(lab_names: set[str]) -> tuple[list[str], int | None]:
    try:
        from study.demo import check_demos
    except ImportError:
        return [], None
    return check_demos()


def run_check(out=None) -> int:
    out = out or sys.stdout
    from study.content import check_rules

    problems: list[str] = [str(p) for p in check_rules()]
    # Rule ids straight from the file, so lessons and labs are still checked when the table has problems.
    try:
        from study.sim import yamlpos

        raw, _ = yamlpos.load_file(str(paths.rules_file()))
        rule_ids = {r["id"] for r in raw.get("rules", []) if isinstance(r, dict) and isinstance(r.get("id"), str)}
    except (ScenarioError, AttributeError):
        rule_ids = set()
    counts = {}
    steps = [("lessons", lambda: _lessons(rule_ids)), ("labs", lambda: _labs(rule_ids)), ("questions", _questions),
             ("demos", lambda: _demos({p.stem for p in paths.labs_dir().glob('*.yaml')}))]
    for name, step in steps:
        print(f"checking {name} ...", file=sys.stderr, flush=True)
        found, n = step()
        problems.extend(found)
        counts[name] = n
    for p in problems:
        print(p, file=out)
    summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n is not None)
    if problems:
        print(f"study check: {len(problems)} problem(s) in {summary} and the rules table", file=out)
        return 1
    print(f"study check: all clean ({len(rule_ids)} rules, {summary})", file=out)
    return 0


def main() -> int:  # pragma: no cover - convenience
    return run_check()



