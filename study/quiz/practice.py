"""Practice: the next rule to study (due first, then new, look-alikes interleaved), a fresh question for it,
and the answer committed to the progress store with an FSRS rating the learner never picks."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Protocol

from fsrs import Rating

from study.progress import Store, start_of_day
from study.quiz import srs

NEW_PER_DAY = 10
# Like Anki's learn-ahead limit: when nothing else is due, a rule in its learning steps (due in minutes)
# comes back early rather than ending the session.
LEARN_AHEAD = timedelta(minutes=20)


class Question(Protocol):
    """What practice and exams need of a question (a dict with these keys works too)."""

    id: str
    section: str
    rules: Sequence[str]
    kind: str
    options: Sequence[Any]


# grade(question, answer) -> right or wrong; multiple-answer questions are all-or-nothing.
Grade = Callable[[Any, Any], bool]
# provider(rule_id, seed) -> a fresh question exercising the rule, or None if there is none.
Provider = Callable[[str, int], Any]


# ---------------------------------------------------------------------- the question protocol
def qattr(question: Any, name: str, default: Any = None) -> Any:
    if isinstance(question, Mapping):
        return question.get(name, default)
    return getattr(question, name, default)


def rules_of(question: Any) -> tuple[str, ...]:
    return tuple(qattr(question, "rules", ()) or ())


def options_of(question: Any) -> list[dict]:
    """The options as plain dicts {text, correct, why}."""
    return [{"text": str(qattr(o, "text", "")), "correct": bool(qattr(o, "correct", False)),
             "why": str(qattr(o, "why", "") or "")} for o in qattr(question, "options", ()) or ()]


def correct_choice(question: Any) -> tuple[int, ...]:
    return tuple(i for i, o in enumerate(options_of(question)) if o["correct"])


def chosen(question: Any, answer: Any) -> tuple[int, ...]:
    """The options an answer picks, as sorted indexes: the answer may be an option index or text, or a
    collection of them. Anything else (a typed number) picks no option."""
    if answer is None:
        return ()
    texts = {o["text"]: i for i, o in enumerate(options_of(question))}
    items = [answer] if isinstance(answer, int | str) else answer
    if isinstance(items, Mapping) or not isinstance(items, Iterable):
        return ()
    out = set()
    for a in items:
        if isinstance(a, bool):
            continue
        if isinstance(a, int) and 0 <= a < len(texts):
            out.add(a)
        elif isinstance(a, str) and a in texts:
            out.add(texts[a])
    return tuple(sorted(out))


def grade_choice(question: Any, answer: Any) -> bool:
    """The default grading, for question objects and their plain-data snapshots alike.

    single/multi: right when exactly the correct options are picked (by index or text), so multiple answer
    is all-or-nothing; numeric: the number at the answer's stated precision; order: the texts in order.
    """
    kind = qattr(question, "kind", "single")
    expected = qattr(question, "answer")
    if answer is None:
        return False
    if kind == "numeric" and isinstance(expected, Mapping):
        try:
            given = Decimal(str(answer).replace("$", "").replace(",", "").split()[0])
        except (InvalidOperation, IndexError):
            return False
        precision = Decimal(str(expected.get("precision", 1)))
        return _at(given, precision) == _at(Decimal(str(expected["value"])), precision)
    if kind == "order":
        return isinstance(answer, list | tuple) and [str(a) for a in answer] == [str(e) for e in expected or ()]
    if not qattr(question, "options"):
        return str(answer).strip().lower() == str(expected).strip().lower()
    picked = chosen(question, answer)
    if isinstance(answer, list | tuple | set | frozenset) and len(picked) != len(set(answer)):
        return False  # something picked that is not an option
    return bool(picked) and picked == correct_choice(question)


def _at(value: Decimal, precision: Decimal) -> Decimal:
    return (value / precision).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def has_scenario(question: Any) -> bool:
    return qattr(question, "scenario") is not None


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if hasattr(value, "to_dict"):
        return _plain(value.to_dict())
    return str(value)


def snapshot(question: Any) -> dict:
    """A question as plain JSON data, as it was shown (kept with exam attempts for review and replay).

    Everything the question's own `to_json()` gives is kept (template, params, scenario ...), so a face can
    rebuild or replay it; the protocol's fields are always present."""
    if isinstance(question, Mapping):
        base = _plain(dict(question))
    elif callable(getattr(question, "to_json", None)):
        base = _plain(question.to_json())
    else:
        base = {}
    options = options_of(question)
    raw = base.get("options")
    if isinstance(raw, list) and len(raw) == len(options) and all(isinstance(o, dict) for o in raw):
        options = [{**o, **clean} for o, clean in zip(raw, options)]
    base.update({
        "id": str(qattr(question, "id", "")),
        "section": str(qattr(question, "section", "")),
        "rules": list(rules_of(question)),
        "kind": str(qattr(question, "kind", "single") or "single"),
        "stem": str(qattr(question, "stem", "")),
        "options": options,
        "answer": _plain(qattr(question, "answer")),
        "explanation": _plain(qattr(question, "explanation")),
        "source": _plain(qattr(question, "source")),
        "scenario": _plain(qattr(question, "scenario")),
    })
    return base


def top_section(section: str) -> str:
    return ".".join(str(section).split(".")[:2])


# ---------------------------------------------------------------------- question providers
class QuestionPool:
    """Fresh questions per rule from a generator `generate(seed, section) -> questions`.

    Within a session a question id is not served twice while another question for the rule exists; when a
    seed's questions for a rule are used up the next seed is tried (fresh numbers), then the least-served
    question is repeated rather than skipping the rule.
    """

    def __init__(self, generate: Callable[[int, str | None], Iterable[Any]],
                 rules: Mapping[str, Mapping] | None = None, *, seeds_per_rule: int = 3):
        self._generate = generate
        self._rules = rules or {}
        self._seeds = max(1, seeds_per_rule)
        self._batches: dict[tuple[int, str | None], list[Any]] = {}
        self.served: dict[str, int] = {}

    @classmethod
    def from_questions(cls, questions: Iterable[Any], rules: Mapping[str, Mapping] | None = None) -> QuestionPool:
        fixed = list(questions)
        return cls(lambda _seed, section: [q for q in fixed if section is None
                                           or top_section(qattr(q, "section", "")) == section], rules,
                   seeds_per_rule=1)

    def _batch(self, seed: int, section: str | None) -> list[Any]:
        key = (seed, section)
        if key not in self._batches:
            self._batches[key] = list(self._generate(seed, section))
        return self._batches[key]

    def _section(self, rule_id: str) -> str | None:
        rule = self._rules.get(rule_id)
        return top_section(rule["section"]) if rule and rule.get("section") else None

    def __call__(self, rule_id: str, seed: int) -> Any:
        section = self._section(rule_id)
        seen: list[Any] = []
        for s in range(seed, seed + self._seeds):
            batch = [q for q in self._batch(s, section) if rule_id in rules_of(q)]
            if not batch and section is not None:
                # The rule's questions may be filed under another section: look everywhere.
                batch = [q for q in self._batch(s, None) if rule_id in rules_of(q)]
            fresh = [q for q in batch if str(qattr(q, "id")) not in self.served]
            if fresh:
                return self._serve(fresh, rule_id, s)
            seen.extend(batch)
        if not seen:
            return None
        fewest = min(self.served.get(str(qattr(q, "id")), 0) for q in seen)
        return self._serve([q for q in seen if self.served.get(str(qattr(q, "id")), 0) == fewest], rule_id, seed)

    def _serve(self, candidates: list[Any], rule_id: str, seed: int) -> Any:
        # Questions about this rule first; then ones where it is one rule among several.
        primary = [q for q in candidates if rules_of(q)[:1] == (rule_id,)] or candidates
        pick = random.Random(f"{seed}:{rule_id}:{len(self.served)}").choice(primary)
        qid = str(qattr(pick, "id"))
        self.served[qid] = self.served.get(qid, 0) + 1
        return pick


def generated_provider(rules: Mapping[str, Mapping] | None = None,
                       source: Callable[..., Iterable[Any]] | None = None) -> QuestionPool:
    """Fresh questions from `source(seed=..., section=...)`: by default the generator's questions for a seed
    (study.quiz.generate.generate), whose numbers change with the seed."""
    if source is None:
        from study.quiz.generate import generate as source
    return QuestionPool(lambda seed, section: source(seed=seed, section=section), rules)


# ---------------------------------------------------------------------- the session
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
