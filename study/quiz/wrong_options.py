"""Wrong options from misconception runs for the question bank (templates, labs), by the one rule in
study/lab/misconception_runs.py that playlist cards follow too.

A misconception run is the same scenario played with one named misconception of content/rules.yaml switched on
(or a scenario change that plays the wrong belief out); the value it gives at the question's path becomes a wrong
option, explained by the belief and its correction. A run that gives the true answer, or a value another run
already gave, makes no option.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from study.lab.misconception_runs import UNUSABLE, MisconceptionRun, distinct_wrong
from study.quiz.model import Option

__all__ = ["UNUSABLE", "MisconceptionRun", "WrongOption", "belief", "misconception_why", "wrong_options"]

def misconception_why(mid: str) -> str:
    """'Misconception: "belief" correction', the why of an option a misconception produced."""
    from study.content import load_rules

    entry = load_rules().misconceptions[mid]
    return f"Misconception: \u201c{entry['belief']}\u201d {entry['correction']}"


def belief(mid: str | None) -> str:
    """A misconception's belief without its final full stop ('' for none)."""
    from study.content import load_rules

    return load_rules().misconceptions[mid]["belief"].rstrip(".") if mid else ""


class WrongOption(NamedTuple):
    value: Any
    text: str
    option: Option


def wrong_options(truth: Any, truth_text: str, runs: Iterable[MisconceptionRun],
                  show: Callable[[Any], str | None]) -> tuple[list[WrongOption], int]:
    """The wrong options the runs give, in run order, and how many runs were dropped (unusable, unshowable, or
    giving the true answer). `show` gives a value's option text, None when it cannot be shown."""
    found, dropped = distinct_wrong(truth, truth_text, runs, show)
    return [WrongOption(run.value, text, Option(text, False, misconception_why(run.misconception),
                                                run.misconception, "misconception", run.replay))
            for run, text in found], dropped
