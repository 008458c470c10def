"""Questions from the labs' predictions (content/labs/*.yaml): each `predict` entry becomes a question whose key is
read from the lab's trace, with wrong options from runs with the lab rules' emulator misconceptions switched on."""

from __future__ import annotations

import json
import re
from typing import Any

from study import paths
from study.lab.lab_file import lab_files, read_lab_file
from study.quiz.model import Option, Question, format_number, quantize
from study.quiz.wrong_options import UNUSABLE, MisconceptionRun, wrong_options
from study.sim.errors import ScenarioError

FINAL_TEXT = {
    "succeeded": "succeeded", "failed": "failed (the error went back to the caller)",
    "dead_lettered": "captured by a dead-letter queue or on-failure destination", "dropped": "dropped (lost)",
    "filtered": "filtered out (never invoked the function)", "coalesced": "coalesced into another notification",
    "pending": "still pending",
}
def scenario_prose(lab: dict) -> str:
    """The lab's scenario as the learner reads it before predicting: its brief (or description), in prose, with
    the emulator named as the course's model."""
    text = " ".join(str(lab.get("brief") or lab.get("description") or "").split())
    return re.sub(r"\b[Tt]his emulator\b", "this course's model", text)


def _text(value: Any) -> str:
    if isinstance(value, str) and value in FINAL_TEXT:
        return FINAL_TEXT[value]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format_number(value, 1 if float(value).is_integer() else 0.001)
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) if value else "none"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


# Labs with more inputs than this are not turned into questions: the smaller 18.13-sqs-scaling lab asks the same
# thing, and running the big backlog with every misconception would dominate the bank's build time.
QUIZ_MAX_INPUTS = 5_000


def lab_questions(seed: int = 0) -> list[Question]:
    """One question per prediction of every valid lab (labs that do not load are `study check`'s business)."""
    from study.content import load_rules, top_section
    from study.lab.labblock import LAB_BLOCK
    from study.sim.expect import PathError, resolve
    from study.sim.misconceptions import KNOWN
    from study.sim.run import simulate, simulate_summary
    from study.sim.scenario.load import build_scenario

    rules = load_rules()
    out: list[Question] = []
    for file in lab_files():
        try:
            lab_file = read_lab_file(file)
            data, marks = lab_file.data, lab_file.marks
            scenario = build_scenario(data, marks, str(file), file.resolve().parent, block_checks=LAB_BLOCK)
        except ScenarioError:
            continue
        lab = scenario.lab or {}
        if not lab.get("predict") or scenario.handler:
            continue  # a real handler's code is not in the stem, so its questions could not be answered
        if len(scenario.inputs) > QUIZ_MAX_INPUTS:
            continue  # a backlog to watch ramp up (18.13-sqs-scaling-ramp), not to rerun for every bank build
        lab_rules = tuple(r for r in lab.get("rules", []) if r in rules.rules)
        if not lab_rules:
            continue
        # A lab whose predictions read only the summary (the big backlogs of the scaling labs) runs lean: the
        # same summary, without keeping every run's record.
        run = simulate_summary if all(str(p.get("answer", "")).startswith("summary.")
                                      for p in lab["predict"]) else simulate
        try:
            trace = run(scenario)
        except ScenarioError:
            continue
        mis_ids = [m["id"] for r in lab_rules for m in rules.rules[r]["misconceptions"]
                   if m.get("emulator") and m["id"] in KNOWN]
        wrong_traces: dict[str, dict] = {}
        for mid in mis_ids:
            try:
                wrong = build_scenario(data, marks, str(file), file.resolve().parent, frozenset({mid}))
                wrong_traces[mid] = run(wrong)
            except ScenarioError:
                continue
        section = top_section(scenario.section or rules.rules[lab_rules[0]]["section"])
        for i, pred in enumerate(lab["predict"]):
            kind = pred.get("kind", "number")
            if kind not in ("number", "choice", "bool"):
                continue  # lists and free text are predicted in the lab itself, not quizzed
            try:
                value = resolve(trace, pred["answer"])
            except PathError:
                continue
            rule_ids = (pred["rule"],) if pred.get("rule") in rules.rules else lab_rules
            options = [Option(_text(value), True, f"The emulator's trace gives {_text(value)} "
                              f"({pred['answer']}).", None, "emulator")]
            runs = (MisconceptionRun(mid, _read(wtrace, pred["answer"]), {"misconceptions": [mid]})
                    for mid, wtrace in wrong_traces.items())
            wrong, _ = wrong_options(value, options[0].text, runs, _text)
            options += [w.option for w in wrong]
            seen = {options[0].text, *(w.text for w in wrong)}
            if kind == "choice":
                for opt in pred.get("options") or []:
                    if _text(opt) not in seen:
                        seen.add(_text(opt))
                        options.append(Option(_text(opt), False, f"The trace gives {_text(value)}.", None, "lab"))
            elif isinstance(value, int | float) and not isinstance(value, bool):
                for cand in (value + 1, value - 1, value * 2):
                    if cand >= 0 and _text(cand) not in seen and len(options) < 4:
                        seen.add(_text(cand))
                        options.append(Option(_text(cand), False, f"Not what happens: the trace gives "
                                              f"{_text(value)}.", None, "neighbour"))
            stem = f"{scenario_prose(lab)} {pred['question']}".strip()
            if re.search(rf"(?<![\w.]){re.escape(options[0].text)}(?![\w.])", scenario_prose(lab)):
                continue  # the lab's own words state this answer: as a question it would give itself away
            base = dict(id=f"gen.lab.{file.stem}.{i + 1}", section=section, rules=rule_ids, stem=stem,
                        explanation=(lab.get("debrief") or lab.get("description", "")).strip(), source="generated",
                        template=f"lab.{file.stem}", trigger=scenario.type,
                        scenario={"file": str(file.relative_to(paths.content_dir().parent))
                                  if file.is_relative_to(paths.content_dir().parent) else str(file)},
                        extra={"answer_path": pred["answer"]})
            if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
                unit = _unit_for(pred["answer"])
                precision = 0.01 if unit == "USD" else (1 if float(value).is_integer() else 0.001)
                if unit == "USD" and quantize(value, precision) == 0:
                    continue  # costs are graded in cents: a fraction of a cent makes no fair question
                out.append(Question(kind="numeric", options=tuple(options),
                                    answer={"value": quantize(value, precision), "precision": precision,
                                            "unit": unit, "text": _text(value)}, **base))
            elif len(options) >= 2:
                out.append(Question(kind="single", options=tuple(options), answer=options[0].text, **base))
    return out


def _read(trace: dict, path: str) -> Any:
    from study.sim.expect import PathError, resolve

    try:
        return resolve(trace, path)
    except PathError:
        return UNUSABLE


def _unit_for(path: str) -> str | None:
    last = path.rsplit(".", 1)[-1]
    if "usd" in last:
        return "USD"
    if last == "gb_seconds":
        return "GB-s"
    if last.endswith("_ms"):
        return "ms"
    if last in ("start", "end", "at", "t") or last.endswith("[*].start"):
        return "s"
    return None
