"""An injected clock for the progress, scheduling and exam tests: time moves only when a test says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime = T0):
        self.t = start

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **kw) -> None:
        self.t += timedelta(**kw)
