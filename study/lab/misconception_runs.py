"""Wrong answers from misconception runs, the one rule every builder of wrong options follows (the question bank's
templates and lab questions, study/quiz/wrong_options.py; a playlist's prediction cards, study/demo/cards.py).

A misconception run is the scenario played with one named misconception of content/rules.yaml switched on (or a
scenario change that plays the wrong belief out). The value it gives at the question's path is a wrong answer
unless it could not be read, cannot be shown, equals the true answer, or shows the same as an earlier one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

UNUSABLE = object()  # a run that could not give a value here (refused, path missing, never settles)


@dataclass(frozen=True)
class MisconceptionRun:
    """One misconception's answer: its value (or UNUSABLE) and how to replay it ({"misconceptions": [...]} ...)."""

    misconception: str
    value: Any
    replay: dict


def distinct_wrong(truth: Any, truth_text: str, runs: Iterable[MisconceptionRun], show: Callable[[Any], str | None],
                   taken: Iterable[str] = ()) -> tuple[list[tuple[MisconceptionRun, str]], int]:
    """The runs that give a wrong answer of their own, each with its text, in run order, and how many runs were
    dropped (unusable, unshowable, or giving the true answer). `taken`: texts already on the card."""
    out: list[tuple[MisconceptionRun, str]] = []
    texts = {truth_text, *taken}
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
        out.append((run, text))
    return out, dropped
