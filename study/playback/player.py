"""Playing a timeline in time: speeds, and the player that turns wall-clock seconds into timeline positions."""

from __future__ import annotations

from study.playback.reducer import PlaybackModel

SPEEDS = (0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


def _nice(x: float) -> float:
    for step in (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400):
        if x <= step:
            return step
    return 86400.0


class Player:
    """Plays a model in real time: the simulated clock runs at `rate` seconds per real second, and entries
    at (nearly) the same instant are shown at most `events_per_second` a second, so a burst stays visible.
    `advance(dt)` takes whatever real time passed, so late ticks catch up instead of queueing."""

    BASE_EVENTS_PER_SECOND = 6.0

    def __init__(self, model: PlaybackModel) -> None:
        self.model = model
        span = model.end or 0.0
        # About 20 s of real time for the whole run at x1, whatever its length.
        self.base_rate = _nice(span / 20.0) if span > 0 else 1.0
        self.speed_index = SPEEDS.index(1)
        self.clock = model.time_at(model.pos)
        self._budget = 0.0

    @property
    def speed(self) -> float:
        return SPEEDS[self.speed_index]

    def faster(self) -> float:
        self.speed_index = min(len(SPEEDS) - 1, self.speed_index + 1)
        return self.speed

    def slower(self) -> float:
        self.speed_index = max(0, self.speed_index - 1)
        return self.speed

    @property
    def at_end(self) -> bool:
        return self.model.pos >= len(self.model)

    def sync(self) -> None:
        """After a step or seek: the clock shows the last applied entry's time."""
        self.clock = self.model.time_at(self.model.pos)
        self._budget = 0.0

    def advance(self, dt: float) -> bool:
        """Move on by dt real seconds; True when the position or clock changed."""
        model = self.model
        if self.at_end or dt <= 0:
            return False
        rate = self.base_rate * self.speed
        if not model.events_limited:  # an aggregated run: slices follow the clock, whatever they hold
            self.clock = min(model.end, self.clock + rate * dt)
            model.seek(model.index_at_time(self.clock))
            return True
        self._budget = min(self._budget + self.BASE_EVENTS_PER_SECOND * self.speed * dt,
                           max(1.0, self.BASE_EVENTS_PER_SECOND * self.speed))
        changed = False
        nxt = model.next_time()
        if nxt is not None and nxt > self.clock:
            self.clock = min(nxt, self.clock + rate * dt)
            changed = True
        # Apply what is due, as far as the event budget allows; the clock waits for a backlog.
        k = model.pos
        due_until = model.index_at_time(self.clock)
        take = min(int(self._budget), max(0, due_until - k))
        if take > 0:
            model.seek(k + take)
            self._budget -= take
            changed = True
        return changed
