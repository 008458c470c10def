"""Practice sessions: due first, then new, look-alikes interleaved, answers committed with FSRS ratings,
and a week of daily practice whose forecast is what FSRS says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from clock import T0, Clock
from fsrs import Rating, Scheduler

from study.content import load_rules
from study.export import bank_questions
from study.learning import srs
from study.learning.practice import PracticeSession
from study.learning.store import Store, start_of_day
from study.quiz.pool import QuestionPool
from study.quiz.protocol import correct_choice, grade_choice, snapshot

# Five rules: "c" looks like "a", "e" looks like "d" (declared on one side only).
RULES = {
    "r.a": {"section": "18.6", "title": "A", "lookalikes": ["r.c"]},
    "r.b": {"section": "18.6", "title": "B"},
    "r.c": {"section": "18.9", "title": "C"},
    "r.d": {"section": "18.9", "title": "D"},
    "r.e": {"section": "18.10", "title": "E", "lookalikes": ["r.d"]},
}


def _q(qid: str, rules: list[str], correct: int = 1, kind: str = "single", n: int = 3) -> dict:
    return {"id": qid, "section": RULES[rules[0]]["section"], "rules": rules, "kind": kind, "stem": f"stem {qid}",
            "options": [{"text": f"opt {i}", "correct": i == correct, "why": f"why {i}"} for i in range(n)],
            "explanation": f"explained {qid}"}


QUESTIONS = [_q(f"q.{r[-1]}", [r]) for r in RULES] + [_q("q.ab", ["r.a", "r.b"], correct=2)]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path, clock) -> Store:
    return Store(tmp_path / "p.sqlite3", now=clock)


def _session(store, **kw) -> PracticeSession:
    pool = QuestionPool.from_questions(kw.pop("questions", QUESTIONS), RULES)
    return PracticeSession(store, pool, rules=kw.pop("rules", RULES), seed=kw.pop("seed", 0), tz=UTC, **kw)


def _right(item) -> tuple[int, ...]:
    return correct_choice(item.question)


def _wrong(item) -> tuple[int, ...]:
    return ((correct_choice(item.question)[0] + 1) % len(item.question["options"]),)


# ---------------------------------------------------------------------- the question protocol
def test_grade_choice_is_all_or_nothing() -> None:
    multi = {"options": [{"text": "a", "correct": True}, {"text": "b", "correct": False},
                         {"text": "c", "correct": True}]}
    assert grade_choice(multi, [0, 2]) and grade_choice(multi, {2, 0})
    assert not grade_choice(multi, [0]) and not grade_choice(multi, [0, 1, 2]) and not grade_choice(multi, [])
    single = {"options": [{"text": "a", "correct": False}, {"text": "b", "correct": True}]}
    assert grade_choice(single, 1) and not grade_choice(single, 0) and not grade_choice(single, None)
    assert grade_choice({"answer": "180"}, " 180 ") and not grade_choice({"answer": "180"}, "120")


def test_grade_choice_reads_texts_numbers_and_orders() -> None:
    multi = {"kind": "multi", "options": [{"text": "a", "correct": True}, {"text": "b", "correct": False},
                                          {"text": "c", "correct": True}]}
    assert grade_choice(multi, ["c", "a"]) and not grade_choice(multi, ["a"])
    assert not grade_choice(multi, ["a", "c", "zzz"])  # something that is not an option
    single = {"kind": "single", "options": [{"text": "x", "correct": False}, {"text": "y", "correct": True}]}
    assert grade_choice(single, "y") and not grade_choice(single, "x")
    numeric = {"kind": "numeric", "answer": {"value": 1.24, "precision": 0.01, "unit": "USD"},
               "options": [{"text": "$1.24", "correct": True}]}
    assert grade_choice(numeric, "$1.24") and grade_choice(numeric, 1.2449) and not grade_choice(numeric, "1.26")
    assert not grade_choice(numeric, "about a dollar")
    order = {"kind": "order", "answer": ["b", "a", "c"], "options": [{"text": t} for t in "abc"]}
    assert grade_choice(order, ["b", "a", "c"]) and not grade_choice(order, ["a", "b", "c"])


def test_practice_with_model_questions_and_their_grading(tmp_path, clock) -> None:
    # The generator's own classes and grading (study.quiz.model, study.quiz.grade): answers are option texts
    # for single and multi, a number for numeric.
    from study.quiz.grade import grade
    from study.quiz.model import Option, Question

    def make(qid, rule, kind, right, wrong, answer):
        options = tuple([Option(t, True, f"right: {t}") for t in right] + [Option(t, False, f"wrong: {t}")
                                                                            for t in wrong])
        return Question(qid, RULES[rule]["section"], (rule,), kind, f"stem {qid}", options, answer,
                        f"explained {qid}", "generated", scenario={"file": "content/labs/x.yaml"})

    questions = [
        make("m.a", "r.a", "single", ["yes"], ["no", "maybe"], "yes"),
        make("m.c", "r.c", "multi", ["one", "two"], ["three"], ["one", "two"]),
        make("m.b", "r.b", "numeric", ["180"], ["120"], {"value": 180, "precision": 1, "unit": None}),
    ]
    store = Store(tmp_path / "p.sqlite3", now=clock)
    rules = {r: RULES[r] for r in ("r.a", "r.b", "r.c")}
    session = PracticeSession(store, QuestionPool.from_questions(questions, rules), rules=rules, grade=grade,
                              seed=0, tz=UTC)
    responses = {"m.a": "yes", "m.c": ["two"], "m.b": 180.0}
    seconds = {"m.a": 25, "m.c": 20, "m.b": 50}
    results = {}
    for _ in range(3):
        item = session.next_item()
        clock.advance(seconds=seconds[item.question.id])
        feedback = session.answer(item, responses[item.question.id])
        results[item.question.id] = feedback
    assert {k: f.correct for k, f in results.items()} == {"m.a": True, "m.c": False, "m.b": True}
    assert [(o.text, o.chosen) for o in results["m.c"].options] == [("one", False), ("two", True),
                                                                     ("three", False)]
    # A scenario to read doubles the thresholds of the kind: 25 s is fast for a single answer (under 30 s),
    # and 50 s fast for a number to work out (under 60 s); without the scenario both would be Good.
    assert results["m.a"].rating == Rating.Easy and results["m.b"].rating == Rating.Easy
    assert results["m.c"].rating == Rating.Again
    assert store.answer_count() == 3


def test_snapshot_is_plain_data_for_objects_too() -> None:
    from dataclasses import dataclass

    @dataclass
    class Option:
        text: str
        correct: bool
        why: str

    @dataclass
    class Q:
        id: str
        section: str
        rules: tuple
        kind: str
        stem: str
        options: list
        scenario: dict

    snap = snapshot(Q("g.1", "18.6", ("r.a",), "multi", "s", [Option("x", True, "because")], {"function": {}}))
    assert snap["options"] == [{"text": "x", "correct": True, "why": "because"}]
    assert snap["rules"] == ["r.a"] and snap["kind"] == "multi" and snap["scenario"] == {"function": {}}


# ---------------------------------------------------------------------- choosing the next rule
def test_new_rules_in_order_with_lookalikes_interleaved(store, clock) -> None:
    session = _session(store)
    order = []
    for _ in range(5):
        item = session.next_item()
        order.append((item.rule_id, item.reason, item.lookalike_of))
        clock.advance(seconds=30)
        session.answer(item, _right(item))
    # a, then its look-alike c; c has no other look-alike left, so b; then d and its look-alike e.
    assert order == [("r.a", "new", None), ("r.c", "new", "r.a"), ("r.b", "new", None),
                     ("r.d", "new", None), ("r.e", "new", "r.d")]


def test_due_rules_come_first_most_overdue_first(store, clock) -> None:
    # Make b, d and e known; b is most overdue, then e, then d; a and c stay new.
    for rule, days_ago in (("r.d", 3), ("r.b", 9), ("r.e", 6)):
        store.record_answer(f"seed-{rule}", [rule], True, 5, at=clock() - timedelta(days=days_ago + 30))
    for rule in ("r.d", "r.b", "r.e"):
        assert store.card(rule).due < clock()
    session = _session(store)
    item = session.next_item()
    assert (item.rule_id, item.reason) == ("r.b", "due")
    session.answer(item, _right(item), seconds=30)
    item = session.next_item()
    # e is more overdue than d (due first by FSRS due date); e and d are look-alikes either way.
    assert (item.rule_id, item.reason) == ("r.e", "due")
    session.answer(item, _right(item), seconds=30)
    item = session.next_item()
    assert (item.rule_id, item.reason, item.lookalike_of) == ("r.d", "due", "r.e")
    session.answer(item, _right(item), seconds=30)
    assert session.next_item().reason == "new"


def test_answer_is_committed_and_reviews_every_rule_of_the_question(store, clock) -> None:
    session = _session(store, questions=[_q("q.ab", ["r.a", "r.b"], correct=2)], rules={"r.a": RULES["r.a"]})
    item = session.next_item()
    assert item.rule_id == "r.a" and item.question["id"] == "q.ab"
    assert session.next_item() is item  # asking again before answering gives the same item
    clock.advance(seconds=42)
    feedback = session.answer(item, [1])
    assert not feedback.correct and feedback.rating == Rating.Again and feedback.seconds == 42
    assert feedback.rules == ("r.a", "r.b") and set(feedback.due) == {"r.a", "r.b"}
    assert [(o.index, o.correct, o.chosen, o.why) for o in feedback.options] == [
        (0, False, False, "why 0"), (1, False, True, "why 1"), (2, True, False, "why 2")]
    assert feedback.explanation == "explained q.ab"
    saved = Store(store.path).answers()
    assert [(a.question_id, a.rules, a.correct, a.seconds, a.rating, a.source) for a in saved] == [
        ("q.ab", ("r.a", "r.b"), False, 42.0, Rating.Again, "practice")]
    assert store.reps() == {"r.a": 1, "r.b": 1}
    with pytest.raises(ValueError):
        session.answer(item, [2])  # an item is answered once


def test_rating_follows_the_time_taken(store, clock) -> None:
    session = _session(store)
    ratings = []
    for seconds in (5, 30, 200):
        item = session.next_item()
        clock.advance(seconds=seconds)
        ratings.append(session.answer(item, _right(item)).rating)
    assert ratings == [Rating.Easy, Rating.Good, Rating.Hard]


def test_new_rules_per_day_are_limited(store, clock) -> None:
    session = _session(store, new_per_day=2)
    assert session.remaining().new == 2
    seen = []
    while (item := session.next_item()) is not None and len(seen) < 20:
        seen.append(item.rule_id)
        clock.advance(seconds=5)
        session.answer(item, _right(item))  # Easy: straight to review, due in days
    assert sorted(set(seen)) == ["r.a", "r.c"] and session.remaining().new == 0
    clock.t = T0 + timedelta(days=1)
    tomorrow = _session(store, new_per_day=2)
    first = tomorrow.next_item()
    assert first.reason == "new" and first.rule_id not in seen


def test_a_missed_rule_comes_back_in_the_session_but_not_at_once(store, clock) -> None:
    session = _session(store, rules={r: RULES[r] for r in ("r.a", "r.b")})
    first = session.next_item()
    session.answer(first, _wrong(first), seconds=20)  # Again: due again in 1 minute
    clock.advance(minutes=2)
    second = session.next_item()
    assert second.rule_id == "r.b"  # the missed rule is due, but not twice running
    session.answer(second, _right(second), seconds=5)
    third = session.next_item()
    assert third.rule_id == "r.a" and third.reason == "due"
    session.answer(third, _right(third), seconds=30)  # Good: next learning step, 10 minutes ahead
    fourth = session.next_item()
    assert fourth.rule_id == "r.a" and fourth.reason == "learning"  # pulled ahead rather than ending
    session.answer(fourth, _right(fourth), seconds=30)
    assert session.next_item() is None


def test_a_rule_without_questions_is_skipped(store, clock) -> None:
    session = _session(store, questions=[_q("q.b", ["r.b"])], rules={r: RULES[r] for r in ("r.a", "r.b")})
    item = session.next_item()
    assert item.rule_id == "r.b"
    session.answer(item, _right(item), seconds=5)
    assert session.next_item() is None


def test_sections_filter(store) -> None:
    session = _session(store, sections=["18.9"])
    assert session.next_item().rule_id == "r.c"


def test_pool_serves_fresh_questions_before_repeating() -> None:
    calls = []

    def generate(seed, section):
        calls.append((seed, section))
        return [_q(f"g{seed}.{k}", ["r.a"]) for k in range(2)]

    pool = QuestionPool(generate, RULES)
    ids = [pool("r.a", 7)["id"] for _ in range(6)]
    # Two per seed, three seeds tried, then the least-served ones again.
    assert sorted(ids[:2]) == ["g7.0", "g7.1"] and sorted(ids[2:4]) == ["g8.0", "g8.1"]
    assert sorted(ids[4:6]) == ["g9.0", "g9.1"]
    assert len(set(ids)) == 6 and all(section == "18.6" for _, section in calls)
    assert pool("r.zzz", 7) is None


# ---------------------------------------------------------------------- a week of daily practice
def _replayed_forecast(store: Store, now: datetime) -> list[tuple]:
    """What FSRS itself says: every rule's reviews replayed through a fresh fsrs Scheduler."""
    scheduler = Scheduler(desired_retention=0.9, enable_fuzzing=False)
    cards = {}
    for rule, at, rating, _correct in store.review_log():
        card = cards.get(rule) or srs.new_card(rule, at)
        cards[rule], _ = scheduler.review_card(card, rating, review_datetime=at)
    return srs.forecast(cards.values(), now, 30, UTC)


def test_a_week_of_daily_practice(tmp_path) -> None:
    rules = load_rules().rules
    clock = Clock()
    store = Store(tmp_path / "p.sqlite3", now=clock)
    pool = QuestionPool.from_questions(bank_questions(), rules)
    yesterday = None
    due_reviews = 0
    for day in range(7):
        clock.t = T0 + timedelta(days=day)
        session = PracticeSession(store, pool, rules=rules, seed=day, new_per_day=10, tz=UTC)
        today = store.forecast(tz=UTC)
        if yesterday is not None:
            # Nothing happened overnight: yesterday's "tomorrow" is today's "today", and practice serves it.
            assert today[0] == yesterday[1]
        due_at_start = {r for r, c in store.cards().items()
                        if srs.state_name(c) == "review" and c.due.date() <= clock().date()}
        assert len(due_at_start) == today[0][1] == session.remaining().due
        n = 0
        while (item := session.next_item()) is not None:
            n += 1
            assert n < 400, "the session never ends"
            right = (n + day) % 5 != 0  # a fixed pattern of misses
            seconds = (8, 30, 75)[(n * 7 + day) % 3]
            clock.advance(seconds=seconds)
            session.answer(item, correct_choice(item.question) if right else [99])
            due_reviews += item.reason == "due"
        morning = start_of_day(T0 + timedelta(days=day), UTC)
        reviewed_today = {r for r, at, _, _ in store.review_log() if at >= morning}
        assert due_at_start <= reviewed_today
        # New rules drawn today: at most the limit (questions may touch further rules on the way).
        drawn = store.new_rules_practised_since(morning)
        assert len(drawn) <= 10 and drawn <= store.rules_first_reviewed_since(morning)
        assert day > 0 or len(drawn) == 10
        after = store.forecast(tz=UTC)
        assert after == _replayed_forecast(store, clock())
        assert after[0][1] == 0  # the session cleared today's reviews
        yesterday = after
    assert due_reviews > 0
    # Misses were drawn at a fixed rate, and FSRS keeps missed rules on shorter intervals.
    missed = {r for r, _, rating, _ in store.review_log() if rating == Rating.Again}
    never_missed = set(store.cards()) - missed
    assert missed and never_missed
    cards = store.cards()
    mean = lambda rs: sum(cards[r].stability for r in rs) / len(rs)  # noqa: E731
    assert mean(missed) < mean(never_missed)
