"""Exam mode: N questions in T minutes drawn across sections, a navigator, flags, no feedback until
submitted, then a score by section and by rule; every attempt is kept for review and history."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from study.content import section_key, top_section
from study.learning import srs
from study.learning.store import ExamSummary, Store, Tally
from study.quiz.protocol import Grade, grade_choice, has_scenario, qattr, snapshot

DEFAULT_QUESTIONS = 20
DEFAULT_MINUTES = 30


EXAM_KINDS = ("single", "multi")


class ExamClosed(Exception):
    """The attempt was submitted or its time ran out: no more answers."""


def draw(questions: Iterable[Any], n: int = DEFAULT_QUESTIONS, seed: int = 0,
         sections: Iterable[str] | None = None) -> list[Any]:
    """`n` distinct questions spread across sections (round robin over the sections in a seeded order),
    then shuffled; the same questions and seed give the same exam."""
    rng = random.Random(seed)
    wanted = {top_section(s) for s in sections} if sections else None
    by_section: dict[str, list[Any]] = {}
    seen: set[str] = set()
    questions = list(questions)
    # The real exam's forms only (one answer of four, or two or three of five); typed numbers and orderings
    # are practice forms, drawn only when the chosen sections have too few exam-form items.
    exam_form = [q for q in questions if qattr(q, "kind", "single") in EXAM_KINDS]
    in_sections = [q for q in exam_form if wanted is None or top_section(qattr(q, "section", "")) in wanted]
    if len(in_sections) >= n:
        questions = exam_form
    for q in questions:
        qid = str(qattr(q, "id"))
        section = top_section(qattr(q, "section", ""))
        if qid in seen or (wanted is not None and section not in wanted):
            continue
        seen.add(qid)
        by_section.setdefault(section, []).append(q)
    order = sorted(by_section, key=section_key)
    for section in order:
        rng.shuffle(by_section[section])
    rng.shuffle(order)
    picked: list[Any] = []
    while len(picked) < n and any(by_section[s] for s in order):
        for section in order:
            if by_section[section] and len(picked) < n:
                picked.append(by_section[section].pop())
    rng.shuffle(picked)
    return picked


@dataclass
class ExamItem:
    idx: int
    question: dict  # the snapshot shown (study.quiz.protocol.snapshot)
    answer: Any = None
    flagged: bool = False
    seconds: float = 0.0
    correct: bool | None = None  # known only after submission

    @property
    def answered(self) -> bool:
        return self.answer is not None and self.answer != [] and self.answer != ()


@dataclass(frozen=True)
class NavEntry:
    idx: int
    answered: bool
    flagged: bool
    current: bool


@dataclass
class ExamResult:
    summary: ExamSummary
    items: list[ExamItem]
    by_section: dict[str, Tally] = field(default_factory=dict)
    by_rule: dict[str, Tally] = field(default_factory=dict)

    @property
    def correct(self) -> int:
        return sum(1 for it in self.items if it.correct)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def score(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def scaled(self) -> int:
        return scaled_score(self.score)

    @property
    def passed(self) -> bool:
        return self.scaled >= PASS_MARK


PASS_MARK = 720  # the real exam reports 100..1000 and passes at 720


def scaled_score(fraction: float) -> int:
    """A share of right answers on the exam's 100..1000 scale (linear; AWS's own scaling is not published)."""
    return round(100 + 900 * max(0.0, min(1.0, fraction)))


def verdict(fraction: float) -> str:
    s = scaled_score(fraction)
    return f"{s}/1000, {'pass' if s >= PASS_MARK else 'below the pass mark'} ({PASS_MARK})"


def score_items(items: Iterable[ExamItem]) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """Tallies by section and by rule; an item counts once for each rule it exercises."""
    by_section: dict[str, Tally] = {}
    by_rule: dict[str, Tally] = {}
    for it in items:
        section = top_section(it.question.get("section", ""))
        by_section[section] = by_section.get(section, Tally()).add(bool(it.correct))
        for rule in dict.fromkeys(it.question.get("rules") or ()):
            by_rule[rule] = by_rule.get(rule, Tally()).add(bool(it.correct))
    return dict(sorted(by_section.items(), key=lambda kv: section_key(kv[0]))), dict(sorted(by_rule.items()))


class ExamSession:
    """One attempt. Answers and flags are committed as they are given; `submit()` grades everything at once,
    reviews each item's rules in the scheduler, and returns the result."""

    def __init__(self, store: Store, exam_id: int, items: list[ExamItem], originals: list[Any] | None,
                 summary: ExamSummary, grade: Grade | None = None, review_rules: bool = True):
        self.store = store
        self.exam_id = exam_id
        self.items = items
        self._originals = originals
        self.summary = summary
        self.grade = grade
        self.review_rules = review_rules
        self.current = 0
        self._shown_at: datetime | None = store.now()
        self.result: ExamResult | None = None

    @classmethod
    def start(cls, store: Store, questions: Iterable[Any], *, n: int = DEFAULT_QUESTIONS,
              minutes: float = DEFAULT_MINUTES, seed: int = 0, sections: Iterable[str] | None = None,
              grade: Grade | None = None, shuffle: bool = True, review_rules: bool = True) -> ExamSession:
        """Draw and keep a new attempt. With `shuffle`, each item's options are put in a seeded order that
        its snapshot keeps, so review shows what was shown. `grade(question, answer)` gets the question
        object given here; without one, `grade_choice` grades the snapshot (answers as option texts, or
        indexes in the snapshot's order)."""
        if n < 1 or minutes <= 0:
            raise ValueError("an exam needs at least 1 question and some minutes")
        chosen = draw(questions, n, seed, sections)
        if not chosen:
            raise ValueError("no questions to draw an exam from")
        started = store.now()
        deadline = started + timedelta(minutes=minutes)
        snaps = [snapshot(q) for q in chosen]
        if shuffle:
            for i, snap in enumerate(snaps):
                # Numeric options only explain misconceptions, listed in value order by their producer.
                if snap["kind"] != "numeric":
                    random.Random(f"{seed}:{i}:{snap['id']}").shuffle(snap["options"])
        exam_id = store.exam_create(started=started, deadline=deadline, n=len(chosen), minutes=minutes,
                                    seed=seed, questions=snaps)
        summary = ExamSummary(exam_id, srs.utc(started), srs.utc(deadline), None, len(chosen), minutes, seed,
                              None, False)
        items = [ExamItem(i, s) for i, s in enumerate(snaps)]
        return cls(store, exam_id, items, chosen, summary, grade, review_rules)

    @classmethod
    def resume(cls, store: Store, exam_id: int, *, grade: Grade | None = None,
               rebuild: Callable[[dict], Any] | None = None, review_rules: bool = True) -> ExamSession:
        """Carry on an attempt that was interrupted (the app closed). A custom `grade` then gets
        `rebuild(snapshot)` (the snapshot itself without `rebuild`)."""
        summary, rows = store.exam(exam_id)
        if summary.finished is not None:
            raise ExamClosed(f"exam {exam_id} was already submitted")
        items = [ExamItem(r.idx, r.question, r.answer, r.flagged, r.seconds) for r in rows]
        originals = [rebuild(it.question) for it in items] if rebuild is not None else None
        return cls(store, exam_id, items, originals, summary, grade, review_rules)

    # ------------------------------------------------------------------ time
    def remaining(self) -> timedelta:
        left = self.summary.deadline - srs.utc(self.store.now())
        return max(left, timedelta(0))

    @property
    def expired(self) -> bool:
        return self.remaining() <= timedelta(0)

    @property
    def submitted(self) -> bool:
        return self.result is not None

    def _open_for_changes(self) -> None:
        if self.submitted:
            raise ExamClosed("this attempt was submitted")
        if self.expired:
            raise ExamClosed("time is up: submit to see the score")

    # ------------------------------------------------------------------ navigator
    def _account_time(self) -> None:
        # Time is charged to the item on screen; it feeds the rating of that item's rules after submission.
        now = self.store.now()
        if self._shown_at is not None:
            self.items[self.current].seconds += max(0.0, (min(now, self.summary.deadline)
                                                          - self._shown_at).total_seconds())
        self._shown_at = now

    def goto(self, idx: int) -> ExamItem:
        if not 0 <= idx < len(self.items):
            raise IndexError(f"no question {idx + 1} (1..{len(self.items)})")
        self._account_time()
        self.current = idx
        return self.items[idx]

    def next(self) -> ExamItem:
        return self.goto(min(self.current + 1, len(self.items) - 1))

    def previous(self) -> ExamItem:
        return self.goto(max(self.current - 1, 0))

    def navigator(self) -> list[NavEntry]:
        return [NavEntry(it.idx, it.answered, it.flagged, it.idx == self.current) for it in self.items]

    def unanswered(self) -> list[int]:
        return [it.idx for it in self.items if not it.answered]

    def flagged(self) -> list[int]:
        return [it.idx for it in self.items if it.flagged]

    # ------------------------------------------------------------------ answering
    def _save(self, item: ExamItem) -> None:
        self.store.exam_save_item(self.exam_id, item.idx, answer=item.answer, flagged=item.flagged,
                                  seconds=item.seconds)

    def answer(self, answer: Any, idx: int | None = None) -> None:
        """Record (or change) the answer of an item; no feedback until submission."""
        self._open_for_changes()
        item = self.items[self.current if idx is None else idx]
        if isinstance(answer, set | frozenset):
            answer = sorted(answer, key=str)
        elif isinstance(answer, tuple):
            answer = list(answer)  # order kept: it matters for order questions
        item.answer = answer
        self._account_time()
        self._save(item)

    def toggle_flag(self, idx: int | None = None) -> bool:
        self._open_for_changes()
        item = self.items[self.current if idx is None else idx]
        item.flagged = not item.flagged
        self._save(item)
        return item.flagged

    def submit(self) -> ExamResult:
        """Grade every item (unanswered ones are wrong) and keep the attempt; allowed after time is up."""
        if self.result is not None:
            return self.result
        now = self.store.now()
        self._account_time()
        timed_out = srs.utc(now) >= self.summary.deadline
        finished = min(srs.utc(now), self.summary.deadline) if timed_out else srs.utc(now)
        for item in self.items:
            if self.grade is None:
                item.correct = item.answered and grade_choice(item.question, item.answer)
            else:
                question = self._originals[item.idx] if self._originals is not None else item.question
                item.correct = item.answered and bool(self.grade(question, item.answer))
        answers = None
        if self.review_rules:
            answers = [{"question_id": it.question["id"], "rules": it.question.get("rules") or [],
                        "correct": bool(it.correct), "seconds": it.seconds, "kind": it.question.get("kind"),
                        "has_scenario": has_scenario(it.question)}
                       for it in self.items if it.question.get("rules")]
        self.store.exam_finish(self.exam_id, finished=finished, timed_out=timed_out,
                               items=[(it.idx, it.answer, bool(it.correct), it.flagged, it.seconds)
                                      for it in self.items], answers=answers)
        self.result = load_result(self.store, self.exam_id)
        return self.result


def load_result(store: Store, exam_id: int) -> ExamResult:
    """A past attempt for review: every item with its snapshot, the answer given and whether it was right."""
    summary, rows = store.exam(exam_id)
    items = [ExamItem(r.idx, r.question, r.answer, r.flagged, r.seconds, r.correct) for r in rows]
    by_section, by_rule = score_items(items) if summary.finished is not None else ({}, {})
    return ExamResult(summary, items, by_section, by_rule)


def history(store: Store) -> list[ExamSummary]:
    return store.exam_history()
