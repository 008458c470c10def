"""What the progress store hands back: answers, tallies, each rule's memory state, exam and lab records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fsrs import Card, Rating


@dataclass(frozen=True)
class Answer:
    """One committed answer and the cards it moved."""

    id: int
    at: datetime
    question_id: str
    rules: tuple[str, ...]
    correct: bool
    seconds: float | None
    rating: Rating
    source: str
    cards: dict[str, Card] = field(default_factory=dict)


@dataclass(frozen=True)
class Tally:
    correct: int = 0
    total: int = 0

    @property
    def fraction(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def add(self, correct: bool) -> Tally:
        return Tally(self.correct + int(bool(correct)), self.total + 1)


@dataclass(frozen=True)
class SectionMastery:
    section: str
    mastery: float  # mean recall probability of the section's rules (0 for a rule never reviewed)
    reviewed: int
    total: int


@dataclass(frozen=True)
class SectionRecall:
    section: str
    mastery: float  # the chance of recalling the section's rules at the next review (see recall_by_section)
    accuracy: Tally
    reviewed: int
    total: int


@dataclass(frozen=True)
class RuleState:
    rule_id: str
    section: str
    title: str
    state: str  # new | learning | review | relearning
    retrievability: float
    stability: float | None
    difficulty: float | None
    due: datetime | None
    reps: int


@dataclass(frozen=True)
class ExamSummary:
    id: int
    started: datetime
    deadline: datetime
    finished: datetime | None
    n: int
    minutes: float
    seed: int
    correct: int | None
    timed_out: bool

    @property
    def score(self) -> float | None:
        return None if self.correct is None or not self.n else self.correct / self.n


@dataclass(frozen=True)
class LabResult:
    """A lab's record: how often it was attempted, the last and the best score (predictions right of asked)."""

    lab: str
    attempts: int
    last_right: int
    last_asked: int
    best_right: int
    best_asked: int
    last_at: datetime
    revealed: bool  # the last attempt opened the outcome without predicting
    whatifs: int


@dataclass
class ExamItemRow:
    idx: int
    question: dict
    answer: Any
    correct: bool | None
    flagged: bool
    seconds: float
