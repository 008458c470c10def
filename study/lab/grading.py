"""A lab's predictions graded at the commit: a verdict per question (with where the run parted from it and the
rule that decided it), the times to mark on the timeline, and the earliest divergence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from study.lab.answers import actual_for, display, final_label, grade, show
from study.lab.attempt import Loaded
from study.lab.divergence import divergence, time_markers
from study.lab.lab_file import Prediction


@dataclass
class Verdict:
    number: int
    question: str
    predicted: str  # as the learner wrote it, shown
    actual: str
    right: bool | None  # None: no prediction
    when: str = ""  # the divergence, in words
    t: float | None = None
    rule_id: str | None = None
    rule_text: str = ""
    section: str = ""


@dataclass
class Grading:
    verdicts: list[Verdict]
    sealed: list[tuple[bool | None, str]]  # per question: right, and the trace's answer as its field shows it
    markers: list[float]  # predicted times, drawn on the timeline
    first_index: int | None  # the earliest divergence's timeline index
    first_t: float | None
    first_wrong: int | None  # the number of the wrong answer whose divergence comes first on the timeline
    first_section: str | None  # that answer's rule's section


def grade_predictions(loaded: Loaded, answers: list[tuple[int, Prediction, Any]]) -> Grading:
    """Grade (number, prediction, the learner's value) against the lab's run."""
    outcome = loaded.outcome
    trigger_type = loaded.lab.trigger_type
    entries = (outcome.trace or {}).get("timeline") or []
    rules_by_id = {rid: (text, section) for rid, text, section in loaded.rules}
    fallback = (loaded.rules[0][0] if loaded.rules else None) or (loaded.lab.rules[0] if loaded.lab.rules else None)
    verdicts: list[Verdict] = []
    sealed: list[tuple[bool | None, str]] = []
    markers: list[float] = []
    first_index, first_t = None, None
    for number, pred, value in answers:
        right = grade(pred, value, outcome)
        actual = show(actual_for(pred, outcome))
        sealed.append((right, actual))
        markers += time_markers(pred, value)
        div = divergence(pred, value, outcome, fallback)
        v = Verdict(number, pred.question, display(value, trigger_type) if value is not None else "",
                    final_label(actual, trigger_type), right)
        if div is not None:
            v.when = div.note
            if div.index is not None and div.index < len(entries):
                v.t = float(entries[div.index]["t"])
                if loaded.model is not None and loaded.model.by_step:
                    v.when += f" (step {div.index + 1} of {len(entries)})"
                if first_index is None or div.index < first_index:
                    first_index, first_t = div.index, v.t
            v.rule_id = div.rule
            text, section = rules_by_id.get(div.rule) or loaded.rule_table.get(div.rule, ("", ""))
            v.rule_text, v.section = text, section
        verdicts.append(v)
    # The divergence shown first is the earliest on the timeline among the wrong answers.
    wrong = sorted((v for v in verdicts if v.right is False),
                   key=lambda v: (v.t is None, v.t if v.t is not None else 0.0, v.number))
    return Grading(verdicts, sealed, markers, first_index, first_t, wrong[0].number if wrong else None,
                   wrong[0].section if wrong and wrong[0].section else None)
