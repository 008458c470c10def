"""Spaced repetition per rule with FSRS (the `fsrs` 6.x API): ratings from answers, reviews, forecasts.

Pure functions over `fsrs.Card`; the progress store (study.learning.store) keeps the cards and calls these.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from fsrs import Card, Rating, Scheduler, State

DEFAULT_RETENTION = 0.9
# Anki offers 0.70..0.99; below 0.7 reviews come too late to help, above 0.99 the load explodes.
MIN_RETENTION = 0.70
MAX_RETENTION = 0.99
FORECAST_DAYS = 30


@dataclass(frozen=True)
class Thresholds:
    """Seconds under `fast` make a right answer Easy; seconds over `slow` make it Hard."""

    fast: float
    slow: float


# How long a confident answer takes, by question kind. A multiple-answer question means weighing every
# option, so it gets more time before it counts as slow; a question that shows a simulation scenario
# (setup, settings, handler) takes longer again to read, hence SCENARIO_FACTOR.
THRESHOLDS: dict[str, Thresholds] = {
    "single": Thresholds(fast=15.0, slow=60.0),
    "multi": Thresholds(fast=25.0, slow=90.0),
    # A number to work out (a price, a retry time) or a sequence to put in order takes longer again.
    "numeric": Thresholds(fast=30.0, slow=120.0),
    "order": Thresholds(fast=30.0, slow=120.0),
}
DEFAULT_THRESHOLDS = THRESHOLDS["single"]
SCENARIO_FACTOR = 2.0


def thresholds_for(kind: str | None = None, has_scenario: bool = False) -> Thresholds:
    base = THRESHOLDS.get(kind or "single", DEFAULT_THRESHOLDS)
    if has_scenario:
        return Thresholds(base.fast * SCENARIO_FACTOR, base.slow * SCENARIO_FACTOR)
    return base


def rating_for(correct: bool, seconds: float | None, kind: str | None = None,
               has_scenario: bool = False) -> Rating:
    """The FSRS rating of one answer; the learner never picks it.

    wrong -> Again; right but slower than `slow` -> Hard; right within `fast` -> Easy; otherwise Good.
    An answer whose time is unknown (None) counts as Good when right.
    """
    if not correct:
        return Rating.Again
    if seconds is None:
        return Rating.Good
    limits = thresholds_for(kind, has_scenario)
    if seconds > limits.slow:
        return Rating.Hard
    if seconds < limits.fast:
        return Rating.Easy
    return Rating.Good


def check_retention(value: float) -> float:
    value = float(value)
    if not MIN_RETENTION <= value <= MAX_RETENTION:
        raise ValueError(f"desired retention {value} is outside {MIN_RETENTION}..{MAX_RETENTION}")
    return value


def make_scheduler(desired_retention: float = DEFAULT_RETENTION) -> Scheduler:
    # No fuzzing: fsrs fuzzes with the global `random`, which would make schedules (and tests) unrepeatable.
    return Scheduler(desired_retention=check_retention(desired_retention), enable_fuzzing=False)


def card_id_for(rule_id: str) -> int:
    """A stable card id from the rule id (fsrs would otherwise use the wall clock and sleep 1 ms)."""
    return zlib.crc32(rule_id.encode("utf-8")) + 1


def new_card(rule_id: str, now: datetime) -> Card:
    return Card(card_id=card_id_for(rule_id), due=now)


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(UTC)


def review(scheduler: Scheduler, card: Card, rating: Rating, at: datetime,
           seconds: float | None = None) -> Card:
    duration = None if seconds is None else int(round(seconds * 1000))
    reviewed, _log = scheduler.review_card(card, rating, review_datetime=utc(at), review_duration=duration)
    return reviewed


def retrievability(scheduler: Scheduler, card: Card | None, now: datetime) -> float:
    """Probability of recalling the rule now (0 for a rule never reviewed)."""
    if card is None:
        return 0.0
    return float(scheduler.get_card_retrievability(card, current_datetime=utc(now)))


def state_name(card: Card | None) -> str:
    if card is None:
        return "new"
    return {State.Learning: "learning", State.Review: "review", State.Relearning: "relearning"}[card.state]


def local_day(moment: datetime, tz: tzinfo | None) -> date:
    return moment.astimezone(tz).date() if tz is not None else moment.astimezone().date()


def forecast(cards: Iterable[Card], now: datetime, days: int = FORECAST_DAYS,
             tz: tzinfo | None = None) -> list[tuple[date, int]]:
    """Reviews due on each of the next `days` days (today first, overdue cards counted today).

    Days are calendar days in `tz` (None: the machine's local zone). Rules never reviewed are not counted:
    they are new, not due.
    """
    today = local_day(now, tz)
    counts = [0] * days
    for card in cards:
        offset = max(0, (local_day(card.due, tz) - today).days)
        if offset < days:
            counts[offset] += 1
    return [(today + timedelta(days=i), counts[i]) for i in range(days)]


def interval_days(card: Card) -> float:
    """Days from the last review to the due date."""
    if card.last_review is None:
        return 0.0
    return (card.due - card.last_review).total_seconds() / 86400
