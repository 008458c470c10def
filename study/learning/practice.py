"""Practice: the next rule to study (due first, then new, look-alikes interleaved), a fresh question for it,
and the answer committed to the progress store with an FSRS rating the learner never picks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from fsrs import Rating

from study.content import top_section
from study.learning import srs
from study.learning.store import Store, start_of_day
from study.quiz.pool import Provider
from study.quiz.protocol import Grade, chosen, grade_choice, has_scenario, options_of, qattr, rules_of

NEW_PER_DAY = 10
# Like Anki's learn-ahead limit: when nothing else is due, a rule in its learning steps (due in minutes)
# comes back early rather than ending the session.
LEARN_AHEAD = timedelta(minutes=20)


@dataclass(frozen=True)
class PracticeItem:
    number: int  # 1-based within the session
    rule_id: str
    reason: str  # due | new | learning (a learning step pulled ahead)
    question: Any
    shown_at: datetime
    lookalike_of: str | None = None  # the previous rule, when this one was picked as its look-alike


@dataclass(frozen=True)
class OptionFeedback:
    index: int
    text: str
    correct: bool
    chosen: bool
    why: str


@dataclass(frozen=True)
class Feedback:
    item: PracticeItem
    correct: bool
    rating: Rating
    seconds: float
    options: list[OptionFeedback]
    explanation: Any
    rules: tuple[str, ...]  # every rule the answer reviewed
    due: dict[str, datetime] = field(default_factory=dict)  # each reviewed rule's next due time
    answer_id: int = 0


@dataclass(frozen=True)
class Remaining:
    due: int
    new: int
    learning: int


class PracticeSession:
    """One sitting of practice. `next_item()` gives the next question (None when nothing is left);
    `answer(item, answer)` grades it, commits it and reviews every rule the question exercises."""

    def __init__(self, store: Store, provider: Provider, *, rules: Mapping[str, Mapping] | None = None,
                 grade: Grade = grade_choice, seed: int | None = None, new_per_day: int = NEW_PER_DAY,
                 learn_ahead: timedelta = LEARN_AHEAD, sections: Iterable[str] | None = None,
                 tz: tzinfo | None = None, source: str = "practice"):
        if rules is None:
            from study.content import load_rules

            rules = load_rules().rules
        self.store = store
        self.provider = provider
        self.grade = grade
        # A new seed per sitting gives fresh numbers each day, yet the same history replays identically.
        self.seed = store.answer_count() if seed is None else seed
        self.new_per_day = new_per_day
        self.learn_ahead = learn_ahead
        self.tz = tz
        self.source = source
        wanted = {top_section(s) for s in sections} if sections else None
        self._order = [rid for rid, r in rules.items()
                       if wanted is None or top_section(r.get("section", "")) in wanted]
        self._rank = {rid: i for i, rid in enumerate(self._order)}
        self._lookalikes = _lookalike_graph(rules)
        self._skipped: set[str] = set()  # rules with no question to ask
        self._last: str | None = None
        self._pending: PracticeItem | None = None
        self.started = store.now()
        self.session_id = f"{source}:{srs.utc(self.started).isoformat()}"
        self.answered = 0
        self.correct = 0

    def lookalikes(self, rule_id: str) -> set[str]:
        return self._lookalikes.get(rule_id, set())

    def _tiers(self, now: datetime) -> list[tuple[str, list[str]]]:
        cards = self.store.cards()
        usable = [r for r in self._order if r not in self._skipped]
        today = srs.local_day(now, self.tz)

        def is_due(card) -> bool:
            # As in Anki, a rule in review is due all of the day it falls due (so "due today" in the forecast
            # is what today's practice serves); a learning step is due to the minute.
            if srs.state_name(card) == "review":
                return srs.local_day(card.due, self.tz) <= today
            return card.due <= now

        due = sorted((r for r in usable if r in cards and is_due(cards[r])),
                     key=lambda r: (cards[r].due, self._rank[r]))
        # The daily limit counts rules drawn as new items, not rules a question also touched on the way.
        introduced = len(self.store.new_rules_practised_since(start_of_day(now, self.tz)))
        new = [r for r in usable if r not in cards] if introduced < self.new_per_day else []
        ahead = sorted((r for r in usable if r in cards and now < cards[r].due <= now + self.learn_ahead
                        and srs.state_name(cards[r]) in ("learning", "relearning")),
                       key=lambda r: (cards[r].due, self._rank[r]))
        return [("due", due), ("new", new), ("learning", ahead)]

    def remaining(self) -> Remaining:
        """What is left today: due rules, new rules still allowed today, learning steps coming up."""
        now = self.store.now()
        tiers = dict(self._tiers(now))
        allowed = self.new_per_day - len(self.store.new_rules_practised_since(start_of_day(now, self.tz)))
        return Remaining(len(tiers["due"]), max(0, min(len(tiers["new"]), allowed)), len(tiers["learning"]))

    def _choose(self, now: datetime) -> tuple[str, str, str | None] | None:
        tiers = self._tiers(now)
        # Never the same rule twice running while anything else is waiting.
        for allow_repeat in (False, True):
            for reason, pool in tiers:
                pool = [r for r in pool if allow_repeat or r != self._last]
                if not pool:
                    continue
                if self._last is not None:
                    # Interleave: a look-alike of the rule just practised, so the two are told apart.
                    near = [r for r in pool if r in self.lookalikes(self._last)]
                    if near:
                        return near[0], reason, self._last
                return pool[0], reason, None
        return None

    def next_item(self) -> PracticeItem | None:
        if self._pending is not None:
            return self._pending
        while True:
            now = self.store.now()
            choice = self._choose(now)
            if choice is None:
                return None
            rule_id, reason, lookalike_of = choice
            question = self.provider(rule_id, self.seed)
            if question is None:
                self._skipped.add(rule_id)
                continue
            self._pending = PracticeItem(self.answered + 1, rule_id, reason, question, now, lookalike_of)
            return self._pending

    def answer(self, item: PracticeItem, answer: Any, seconds: float | None = None) -> Feedback:
        if item is not self._pending:
            raise ValueError("answer the item that next_item() returned")
        now = self.store.now()
        if seconds is None:
            seconds = max(0.0, (now - item.shown_at).total_seconds())
        question = item.question
        correct = bool(self.grade(question, answer))
        # The question was drawn for item.rule_id, so that rule is always reviewed, with any others it tests.
        rules = tuple(dict.fromkeys((*rules_of(question), item.rule_id)))
        kind = str(qattr(question, "kind", "single") or "single")
        saved = self.store.record_answer(str(qattr(question, "id")), rules, correct, seconds, kind=kind,
                                         has_scenario=has_scenario(question), source=self.source,
                                         session=self.session_id, at=now, rule=item.rule_id)
        self._pending = None
        self._last = item.rule_id
        self.answered += 1
        self.correct += int(correct)
        picked = set(chosen(question, answer))
        options = [OptionFeedback(i, o["text"], o["correct"], i in picked, o["why"])
                   for i, o in enumerate(options_of(question))]
        return Feedback(item, correct, saved.rating, seconds, options, qattr(question, "explanation"), rules,
                        {r: c.due for r, c in saved.cards.items()}, saved.id)


def _lookalike_graph(rules: Mapping[str, Mapping]) -> dict[str, set[str]]:
    # rules.yaml lists look-alikes on one side only at times; confusion goes both ways.
    graph: dict[str, set[str]] = {rid: set() for rid in rules}
    for rid, rule in rules.items():
        for other in rule.get("lookalikes") or ():
            if other in graph and other != rid:
                graph[rid].add(other)
                graph[other].add(rid)
    return graph


def due_in_words(moment: datetime | None, now: datetime) -> str:
    """When a review falls due, in words: 'now', 'in 10 min', 'in 3 h', 'in 4 days' (every face says it so)."""
    if moment is None:
        return "not scheduled"
    delta = moment - now
    if delta <= timedelta(seconds=30):
        return "now"
    minutes = delta.total_seconds() / 60
    if minutes < 90:
        return f"in {round(minutes)} min"
    if minutes < 36 * 60:
        return f"in {round(minutes / 60)} h"
    return f"in {round(minutes / 1440)} days"
