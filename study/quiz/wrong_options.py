"""Wrong options from misconception runs: the one builder every question source uses (templates, labs).

A misconception run is the same scenario played with one named misconception of content/rules.yaml switched on
(or a scenario change that plays the wrong belief out); the value it gives at the question's path becomes a wrong
option, explained by the belief and its correction. A run that gives the true answer, or a value another run
already gave, makes no option.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from study.quiz.model import Option

UNUSABLE = object()  # a run that could not give a value here (refused, path missing, never settles)


def misconception_why(mid: str) -> str:
    """'Misconception: "belief" correction', the why of an option a misconception produced."""
    from study.content import load_rules

    entry = load_rules().misconceptions[mid]
    return f"Misconception: \u201c{entry['belief']}\u201d {entry['correction']}"


def belief(mid: str | None) -> str:
    """A misconception's belief without its final full stop ('' for none)."""
    from study.content import load_rules

    return load_rules().misconceptions[mid]["belief"].rstrip(".") if mid else ""


@dataclass(frozen=True)
class MisconceptionRun:
    """One misconception's answer: its value (or UNUSABLE) and how to replay it ({"misconceptions": [...]} ...)."""

    misconception: str
    value: Any
    replay: dict


class WrongOption(NamedTuple):
    value: Any
    text: str
    option: Option


def wrong_options(truth: Any, truth_text: str, runs: Iterable[MisconceptionRun],
                  show: Callable[[Any], str | None]) -> tuple[list[WrongOption], int]:
    """The wrong options the runs give, in run order, and how many runs were dropped (unusable, unshowable, or
    giving the true answer). `show` gives a value's option text, None when it cannot be shown."""
    out: list[WrongOption] = []
    texts = {truth_text}
    dropped = 0
    for run in runs:
        if run.value is UNUSABLE:
            dropped += 1
            continue
        text = show(run.value)
        if text is None:
            dropped += 1
            continue
        if run.value == truth or text == truth_text:
            dropped += 1  # this misconception gives the true answer here: it cannot be a wrong option
            continue
        if text in texts:
            continue  # two misconceptions, one wrong value: the first one names it
        texts.add(text)
        out.append(WrongOption(run.value, text, Option(text, False, misconception_why(run.misconception),
                                                       run.misconception, "misconception", run.replay)))
    return out, dropped
