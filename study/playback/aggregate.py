"""Playback of a run too big to keep whole: counts per time slice instead of one state per timeline entry.

A run of up to a million invocations is reduced while the emulator runs (study.playback.streaming) into at most
`MAX_SLICES` slices of equal length; each slice keeps the state at its end (batches running, execution
environments by state, pollers, records per lane and state, totals, what reached each sink) and what happened
inside it (the most runs at once, runs started, errors). A bounded sample of timeline entries feeds the event log,
and a bounded sample of runs answers `j`. Playing it moves slice by slice on the simulated clock; no per-input
state is kept, so a frame costs the same for ten thousand runs or a million.
"""

from __future__ import annotations

import bisect as _bisect
from dataclasses import dataclass

from study.playback.states import N_STATES, WAITING, Lane, View

MAX_SLICES = 4096  # slices merge two by two past this, so the slice length doubles


@dataclass(frozen=True)
class Slice:
    """The state at the end of one slice of simulated time, and what happened inside it."""

    running: int
    pollers: int
    env_counts: tuple  # environments by state (states.ENV_*)
    counters: tuple  # invocations, errors, throttles, cold starts, deliveries (running totals)
    lane_counts: tuple  # per lane, records per input state
    retries: int  # batches or inputs waiting for a retry
    sinks: tuple  # (target, (delivery kind, count, first inputs, last HTTP status)) pairs
    max_running: int  # the most runs at once inside the slice
    starts: int  # runs started inside the slice
    errors: int  # runs that ended in an error inside the slice

    @property
    def backlog(self) -> int:
        return sum(c[WAITING] for c in self.lane_counts)

    def merged(self, later: Slice) -> Slice:
        """This slice and the next as one: the later state, the larger peak, the summed counts."""
        return Slice(later.running, later.pollers, later.env_counts, later.counters, later.lane_counts,
                     later.retries, later.sinks, max(self.max_running, later.max_running),
                     self.starts + later.starts, self.errors + later.errors)


class AggregateModel:
    """The same playback interface as `PlaybackModel` (seek, view, the clock and the timeline bar's columns),
    over slices: position k is the state after the first k slices."""

    aggregated = True
    events_limited = False  # the player moves with the clock: a slice holds any number of entries

    def __init__(self, trace: dict, slices: list[Slice], slice_s: float, end: float, lanes: list[Lane],
                 entries: list[dict], runs: dict[int, dict], sink_targets: list[tuple[str, str]]) -> None:
        self.trace = trace  # head, summary, a sample of runs and inputs, and the counts of the rest
        self.slices = slices
        self.slice_s = slice_s
        self.end = end
        self.lanes = lanes
        self.entries = entries  # the sampled timeline entries, in order (the event log's lines)
        self.runs = runs  # run n -> its record, for the runs the sample names
        self.sink_targets = sink_targets
        self.trigger_type: str = (trace.get("trigger") or {}).get("type", "")
        self._pos = 0
        self._entry_times = [float(e["t"]) for e in entries]
        self._columns: dict[int, tuple] = {}

    # -- the clock ------------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.slices)

    @property
    def pos(self) -> int:
        return self._pos

    def seek(self, k: int) -> int:
        self._pos = max(0, min(len(self.slices), k))
        return self._pos

    def step(self, delta: int = 1) -> int:
        return self.seek(self._pos + delta)

    def time_at(self, k: int) -> float:
        """The clock after k slices: the end of slice k-1 (0 before anything, the run's end after the last)."""
        if k <= 0:
            return 0.0
        if k >= len(self.slices):
            return self.end
        return min(self.end, k * self.slice_s)

    def next_time(self) -> float | None:
        return self.time_at(self._pos + 1) if self._pos < len(self.slices) else None

    def index_at_time(self, t: float) -> int:
        """How many slices have ended at or before t."""
        if t >= self.end:
            return len(self.slices)
        return max(0, min(len(self.slices), int(t / self.slice_s))) if self.slice_s > 0 else 0

    @property
    def by_step(self) -> bool:
        return False

    def column(self, t: float, pos: int, width: int) -> int:
        if self.end <= 0:
            return 0
        return max(0, min(width - 1, int(t / self.end * (width - 1) + 0.5)))

    # -- what is shown --------------------------------------------------------------------------------------

    def view(self) -> View:
        k = self._pos
        s = self.slices[k - 1] if k else None
        lanes = self.lanes
        if s is None:
            n_inputs = int((self.trace.get("aggregated") or {}).get("inputs") or 0)
            counts = [[0] * N_STATES for _ in lanes]
            if counts:
                counts[0][0] = n_inputs
            env_counts, counters, sinks = [0, 0, 0, 0], (0, 0, 0, 0, 0), {}
            running = pollers = retries = 0
        else:
            counts = [list(c) for c in s.lane_counts]
            counts += [[0] * N_STATES for _ in range(len(lanes) - len(counts))]
            env_counts, counters, sinks = list(s.env_counts), s.counters, dict(s.sinks)
            running, pollers, retries = s.running, s.pollers, s.retries
        return View(pos=k, total=len(self.slices), t=self.time_at(k), end=self.end, lanes=lanes,
                    lane_counts=counts, lane_members=[[] for _ in lanes], input_ids=[], states=None,
                    envs={}, env_counts=env_counts, retries={}, sinks=sinks, invocations=counters[0],
                    errors=counters[1], throttles=counters[2], cold_starts=counters[3], deliveries=counters[4],
                    pollers=pollers, running=running, last_bisect=None, current=None, aggregated=True,
                    waiting_retries=retries)

    def log_pos(self) -> int:
        """How many of the sampled entries happen at or before the playhead."""
        if self._pos >= len(self.slices):
            return len(self.entries)
        return _bisect.bisect_right(self._entry_times, self.time_at(self._pos)) if self._pos else 0

    def current_run(self) -> dict | None:
        """The record of the latest sampled run named in the event log up to the playhead."""
        for i in range(self.log_pos() - 1, -1, -1):
            e = self.entries[i]
            if e["kind"] in ("invoke_start", "invoke_end") and e.get("n") in self.runs:
                return self.runs[e["n"]]
        return None

    def _per_column(self, width: int) -> tuple:
        """Per column of a bar `width` wide: runs started, errors, the most running, backlog and pollers at the
        column's end."""
        got = self._columns.get(width)
        if got is None:
            starts, errors, running = [0] * width, [0] * width, [0] * width
            backlog, pollers = [0] * width, [0] * width
            last = -1
            for k, s in enumerate(self.slices):
                c = self.column(self.time_at(k + 1), k, width)
                for gap in range(last + 1, c):  # a column no slice ends in: the state carries on
                    running[gap], backlog[gap], pollers[gap] = s.running, s.backlog, s.pollers
                starts[c] += s.starts
                errors[c] += s.errors
                running[c] = max(running[c], s.max_running)
                backlog[c] = s.backlog
                pollers[c] = s.pollers
                last = c
            got = self._columns[width] = (starts, errors, running, backlog, pollers)
        return got

    def histogram(self, width: int) -> list[tuple[int, int]]:
        """Invocation starts and errors per column when the run is drawn `width` columns wide."""
        starts, errors = self._per_column(max(1, width))[:2]
        return list(zip(starts, errors))

    def series(self, width: int) -> dict[str, list[int]]:
        """Per column: the most batches running at once, the backlog and the pollers."""
        _, _, running, backlog, pollers = self._per_column(max(1, width))
        return {"running": running, "backlog": backlog, "pollers": pollers}

    def final_word(self, iid: str) -> str | None:
        st = (self.trace.get("inputs") or {}).get(iid)
        return st.get("final") if st else None
