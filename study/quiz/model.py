"""Questions and options as plain data: what the generator and the bank produce, and what every face shows."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

KINDS = ("single", "multi", "numeric", "order")


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    why: str
    misconception: str | None = None  # the named wrong belief this option comes from
    source: str = "emulator"  # emulator | misconception | neighbour | fact | bank | lab
    replay: dict | None = None  # how the emulator derived a wrong option: misconceptions / set / transform

    def to_json(self) -> dict:
        out: dict[str, Any] = {"text": self.text, "correct": self.correct, "why": self.why}
        if self.misconception:
            out["misconception"] = self.misconception
        out["source"] = self.source
        if self.replay is not None:
            out["replay"] = self.replay
        return out


@dataclass(frozen=True)
class Question:
    """One question. `answer` is the correct option's text (single), the texts (multi), the texts in order
    (order), or {value, precision, unit} (numeric)."""

    id: str
    section: str
    rules: tuple[str, ...]
    kind: str
    stem: str
    options: tuple[Option, ...]
    answer: Any
    explanation: str
    source: str  # generated | bank
    template: str | None = None
    trigger: str | None = None  # the scenario's trigger type (or "pricing"); None for fact questions
    scenario: dict | None = None
    params: dict | None = None
    where: str | None = None  # file:line of a bank question
    extra: dict = field(default_factory=dict)

    @property
    def simulated(self) -> bool:
        return self.scenario is not None

    def to_json(self) -> dict:
        out: dict[str, Any] = {
            "id": self.id, "section": self.section, "rules": list(self.rules), "kind": self.kind,
            "stem": self.stem, "options": [o.to_json() for o in self.options], "answer": self.answer,
            "explanation": self.explanation, "source": self.source,
        }
        if self.template:
            out["template"] = self.template
        if self.trigger:
            out["trigger"] = self.trigger
        if self.scenario is not None:
            out["scenario"] = self.scenario
        if self.params is not None:
            out["params"] = self.params
        if self.where:
            out["where"] = self.where
        out.update(self.extra)
        return out

    def correct_options(self) -> list[Option]:
        return [o for o in self.options if o.correct]


@dataclass(frozen=True)
class Presented:
    """A question as shown in one attempt: options in a shuffled order, labelled A, B, C ..."""

    question: Question
    options: tuple[Option, ...]

    def label(self, i: int) -> str:
        return chr(ord("A") + i)

    def labelled(self) -> list[tuple[str, Option]]:
        return [(self.label(i), o) for i, o in enumerate(self.options)]


def present(question: Question, rng: random.Random | int | None = None) -> Presented:
    """Shuffle the options for one attempt (seeded: the same seed gives the same order)."""
    if not isinstance(rng, random.Random):
        rng = random.Random(rng)
    options = list(question.options)
    if question.kind == "numeric":
        # A typed answer: the options are kept only to explain misconceptions, in value order.
        options.sort(key=lambda o: _num_key(o.text))
    else:
        rng.shuffle(options)
    return Presented(question, tuple(options))


def _num_key(text: str) -> float:
    try:
        return float(text.replace("$", "").replace(",", "").split()[0])
    except (ValueError, IndexError):
        return float("inf")


def quantize(value: float, precision: float) -> float | int:
    """The value at its stated precision (half up), as an int when the precision is 1 or coarser."""
    q = Decimal(str(precision))
    d = Decimal(str(value)).quantize(q, rounding=ROUND_HALF_UP) if q < 1 else (
        (Decimal(str(value)) / q).quantize(Decimal(1), rounding=ROUND_HALF_UP) * q)
    return int(d) if q >= 1 else float(d)


def format_number(value: float | int, precision: float = 1, unit: str | None = None) -> str:
    """A number as an option shows it: `$1.24` for dollars, `180 s`, `0.125 GB-s`."""
    v = quantize(value, precision)
    if precision >= 1:
        text = f"{int(v):,}" if abs(v) >= 1000 else str(int(v))
    else:
        places = max(0, -Decimal(str(precision)).as_tuple().exponent)
        text = f"{v:,.{places}f}" if abs(v) >= 1000 else f"{v:.{places}f}"
    if unit == "USD":
        return f"${text}"
    if unit:
        return f"{text} {unit}"
    return text


@dataclass
class Report:
    """What a generation run did (study.quiz.generate): for the bench, `--stats` and the tests."""

    per_template: Counter = field(default_factory=Counter)
    redraws: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    given_up: Counter = field(default_factory=Counter)
    left_out: Counter = field(default_factory=Counter)  # items the exam form could not ask fairly, per template
    duplicates: int = 0
    runs: int = 0
    hits: int = 0
