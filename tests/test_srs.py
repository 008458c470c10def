"""FSRS scheduling per rule, with an injected clock: ratings from answers and properties that can fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from clock import Clock
from fsrs import Rating, State

from study.learning import srs
from study.learning.store import Store


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _store(tmp_path, clock, name="p.sqlite3", retention=None) -> Store:
    store = Store(tmp_path / name, now=clock)
    if retention is not None:
        store.set_desired_retention(retention)
    return store


# ---------------------------------------------------------------------- ratings
@pytest.mark.parametrize("correct,seconds,kind,scenario,expected", [
    (False, 3, "single", False, Rating.Again),     # fast but wrong is still Again
    (False, 500, "multi", False, Rating.Again),
    (True, 5, "single", False, Rating.Easy),
    (True, 14.9, "single", False, Rating.Easy),
    (True, 15, "single", False, Rating.Good),
    (True, 60, "single", False, Rating.Good),
    (True, 60.1, "single", False, Rating.Hard),
    (True, 20, "multi", False, Rating.Easy),       # multi gets longer before an answer is "slow" or not "fast"
    (True, 80, "multi", False, Rating.Good),
    (True, 95, "multi", False, Rating.Hard),
    (True, 25, "single", True, Rating.Easy),       # a scenario to read doubles the thresholds
    (True, 110, "single", True, Rating.Good),
    (True, 121, "single", True, Rating.Hard),
    (True, None, "single", False, Rating.Good),    # time unknown
    (True, 10, "unknown-kind", False, Rating.Easy),
])
def test_rating_from_correctness_and_time(correct, seconds, kind, scenario, expected) -> None:
    assert srs.rating_for(correct, seconds, kind, scenario) == expected


def test_rating_never_comes_from_the_learner(tmp_path, clock) -> None:
    store = _store(tmp_path, clock)
    answer = store.record_answer("q1", ["r.a"], correct=True, seconds=30)
    assert answer.rating == Rating.Good
    assert store.answers()[0].rating == Rating.Good


def test_retention_range_is_checked(tmp_path, clock) -> None:
    store = _store(tmp_path, clock)
    assert store.desired_retention == 0.9
    for bad in (0.5, 1.0, 0.995):
        with pytest.raises(ValueError):
            store.set_desired_retention(bad)
    store.set_desired_retention(0.85)
    assert Store(tmp_path / "p.sqlite3", now=clock).desired_retention == 0.85


# ---------------------------------------------------------------------- FSRS properties
def _graduate(store: Store, clock: Clock, rule: str) -> None:
    """Answer a new rule Good twice (its two learning steps) so it reaches the Review state."""
    store.record_answer(f"q-{rule}", [rule], True, 30)
    clock.advance(minutes=10)
    store.record_answer(f"q-{rule}", [rule], True, 30)
    assert store.card(rule).state == State.Review


def _interval(store: Store, rule: str) -> timedelta:
    card = store.card(rule)
    return card.due - card.last_review


def test_again_shortens_the_next_interval(tmp_path, clock) -> None:
    store = _store(tmp_path, clock)
    for rule in ("r.again", "r.good"):
        _graduate(store, clock, rule)
    # Both rules have the same history; review them on the same day, one wrong and one right.
    clock.t = max(store.card("r.again").due, store.card("r.good").due)
    before = _interval(store, "r.again")
    assert before == _interval(store, "r.good")
    store.record_answer("q1", ["r.again"], correct=False, seconds=30)
    store.record_answer("q2", ["r.good"], correct=True, seconds=30)
    again, good = _interval(store, "r.again"), _interval(store, "r.good")
    assert again < before < good
    assert store.card("r.again").state == State.Relearning
    # Once relearnt, the rule's interval is still shorter than before the lapse: stability dropped.
    clock.advance(minutes=10)
    store.record_answer("q1", ["r.again"], correct=True, seconds=30)
    assert store.card("r.again").state == State.Review
    assert _interval(store, "r.again") < before
    assert store.card("r.again").stability < store.card("r.good").stability


def test_good_lengthens_the_interval_review_after_review(tmp_path, clock) -> None:
    store = _store(tmp_path, clock)
    _graduate(store, clock, "r.a")
    intervals = [_interval(store, "r.a")]
    for _ in range(6):
        clock.t = store.card("r.a").due
        store.record_answer("q", ["r.a"], correct=True, seconds=30)
        intervals.append(_interval(store, "r.a"))
    assert all(later > earlier for earlier, later in zip(intervals, intervals[1:])), intervals
    assert intervals[-1] > timedelta(days=30)


def test_hard_and_easy_bracket_good(tmp_path, clock) -> None:
    store = _store(tmp_path, clock)
    for rule in ("r.hard", "r.good", "r.easy"):
        _graduate(store, clock, rule)
    clock.t = max(store.card(r).due for r in ("r.hard", "r.good", "r.easy"))
    store.record_answer("q", ["r.hard"], True, 200)
    store.record_answer("q", ["r.good"], True, 30)
    store.record_answer("q", ["r.easy"], True, 5)
    assert _interval(store, "r.hard") < _interval(store, "r.good") < _interval(store, "r.easy")


def _intervals_at(tmp_path, retention: float, name: str) -> list[timedelta]:
    clock = Clock()
    store = _store(tmp_path, clock, name, retention)
    _graduate(store, clock, "r.a")
    out = [_interval(store, "r.a")]
    for _ in range(4):
        clock.t = store.card("r.a").due
        store.record_answer("q", ["r.a"], correct=True, seconds=30)
        out.append(_interval(store, "r.a"))
    return out


def test_lower_retention_gives_longer_intervals(tmp_path) -> None:
    at_80 = _intervals_at(tmp_path, 0.8, "r80.sqlite3")
    at_90 = _intervals_at(tmp_path, 0.9, "r90.sqlite3")
    at_95 = _intervals_at(tmp_path, 0.95, "r95.sqlite3")
    assert all(a > b for a, b in zip(at_80, at_90)), (at_80, at_90)
    assert all(b > c for b, c in zip(at_90, at_95)), (at_90, at_95)


def test_changing_retention_reschedules_existing_cards(tmp_path, clock) -> None:
    store = _store(tmp_path, clock)
    _graduate(store, clock, "r.a")
    clock.t = store.card("r.a").due
    store.record_answer("q", ["r.a"], correct=True, seconds=30)
    due_at_90 = store.card("r.a").due
    store.set_desired_retention(0.8)
    assert store.card("r.a").due > due_at_90
    store.set_desired_retention(0.9)
    assert store.card("r.a").due == due_at_90


def test_schedule_is_repeatable(tmp_path) -> None:
    # No fuzz: the same answers at the same times give the same cards, byte for byte.
    runs = []
    for name in ("a.sqlite3", "b.sqlite3"):
        clock = Clock()
        store = _store(tmp_path, clock, name)
        for i in range(12):
            store.record_answer(f"q{i}", [f"r.{i % 3}"], correct=i % 4 != 0, seconds=10 + 7 * i)
            clock.advance(hours=20)
        runs.append({r: c.to_json() for r, c in store.cards().items()})
    assert runs[0] == runs[1]


# ---------------------------------------------------------------------- forecast
def test_forecast_counts_due_dates_per_day() -> None:
    now = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    cards = [srs.new_card(f"r{i}", now + delta) for i, delta in enumerate([
        timedelta(days=-3),             # overdue: today
        timedelta(hours=14, minutes=59),  # 23:59 today
        timedelta(hours=15),            # 00:00 tomorrow
        timedelta(days=2),
        timedelta(days=2, hours=1),
        timedelta(days=29, hours=1),    # the last day counted
        timedelta(days=30, hours=1),    # beyond the window
    ])]
    days = srs.forecast(cards, now, 30, UTC)
    assert len(days) == 30
    assert days[0][0].isoformat() == "2025-03-03" and days[29][0].isoformat() == "2025-04-01"
    counts = [c for _, c in days]
    assert counts[:4] == [2, 1, 2, 0] and counts[29] == 1 and sum(counts) == 6


def test_forecast_days_follow_the_time_zone() -> None:
    now = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
    card = srs.new_card("r", datetime(2025, 3, 3, 23, 30, tzinfo=UTC))
    assert [c for _, c in srs.forecast([card], now, 3, UTC)] == [1, 0, 0]
    plus_one = timezone(timedelta(hours=1))  # 00:30 on the 4th there
    assert [c for _, c in srs.forecast([card], now, 3, plus_one)] == [0, 1, 0]


def test_retrievability_falls_with_time(tmp_path, clock) -> None:
    store = _store(tmp_path, clock)
    _graduate(store, clock, "r.a")
    scheduler = store.scheduler()
    card = store.card("r.a")
    assert srs.retrievability(scheduler, None, clock()) == 0.0
    values = [srs.retrievability(scheduler, card, clock() + timedelta(days=d)) for d in (0, 1, 5, 30)]
    assert values[0] == pytest.approx(1.0)
    assert all(a > b for a, b in zip(values, values[1:]))
    # At the due date, recall probability is about the desired retention (FSRS's definition of the interval).
    at_due = srs.retrievability(scheduler, card, card.due)
    assert at_due == pytest.approx(0.9, abs=0.03)
