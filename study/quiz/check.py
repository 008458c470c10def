"""`study check` for questions/: templates and bank validated, every template instantiated, every problem as
file:line:col."""

from __future__ import annotations

from pathlib import Path

from study.sim.errors import ScenarioError

NOTES: list[str] = []  # what the last check found worth saying that is not a problem (templates left unasked)


def check_questions(root: str | Path | None = None) -> list[ScenarioError]:
    """Problems in questions/templates and questions/bank (`root` is a questions/ directory; default the
    project's). Empty when everything loads, every template yields questions and no two questions clash."""
    from study import paths
    from study.quiz.bank import load_bank
    from study.quiz.generate import Report, generate_all
    from study.quiz.question_runs import TraceCache
    from study.quiz.templates import load_templates

    root = Path(root) if root is not None else paths.questions_dir()
    NOTES.clear()
    try:
        from study.content import load_rules

        load_rules()
    except ScenarioError:
        # Questions are validated against the rules table; its own problems are reported by its own check.
        return [ScenarioError("questions not checked: content/rules.yaml has problems", str(root))]
    templates = load_templates(root / "templates", precise=True)
    bank = load_bank(root / "bank")
    problems = list(templates.problems) + list(bank.problems)
    if templates.problems:
        return problems
    report = Report()
    generated = generate_all(0, templates=templates, cache=TraceCache(), report=report, labs=False)
    for fam in templates.families:
        for ask in fam.asks:
            if report.per_template[ask.id] == 0 and report.left_out[ask.id]:
                NOTES.append(f"{ask.where[0]}:{ask.where[1]}: note: {ask.id} gives keys, but none of its "
                             f"{report.left_out[ask.id]} item(s) has three computed wrong options for the exam's "
                             "four choices; it is not asked until its distractors grow")
            elif report.per_template[ask.id] == 0:
                reasons = ", ".join(f"{why} ({n})" for why, n in report.redraws[ask.id].most_common(3))
                problems.append(ScenarioError(
                    f"template {ask.id} produced no question for seed 0; every draw was rejected: "
                    f"{reasons or 'no draws'}", ask.where[0], ask.where[1]))
    for fact in templates.facts:
        if report.per_template[fact.id] == 0 and report.left_out[fact.id]:
            NOTES.append(f"{fact.file}:{fact.line}: note: fact template {fact.id} gives no item in the exam's form")
        elif report.per_template[fact.id] == 0:
            problems.append(ScenarioError(f"fact template {fact.id} produced no question", fact.file, fact.line))
    shapes = {(q.stem, tuple(sorted(o.text for o in q.options))): q.id for q in generated}
    for q in bank.questions:
        other = shapes.get((q.stem, tuple(sorted(o.text for o in q.options))))
        if other:
            file, _, line = (q.where or "").rpartition(":")
            problems.append(ScenarioError(f"{q.id} has the same stem and options as the generated {other}",
                                          file or str(q.where), int(line) if line.isdigit() else None))
    return problems
