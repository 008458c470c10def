"""Playback of a trace's timeline: the view state at position k, derived from timeline[:k] by a pure reducer.

No Textual here: the Watch view reads `PlaybackModel.view()`; stepping forward applies one entry (O(1)),
stepping back restores the nearest checkpoint and replays at most `checkpoint_every` entries.
"""

from __future__ import annotations

import bisect as _bisect
from typing import Any

from study.playback.entries import entry_inputs
from study.playback.states import (
    ASYNC_LIKE,
    COALESCED,
    DEAD,
    DROPPED,
    ENDED,
    ENV_BUSY,
    ENV_GONE,
    ENV_IDLE,
    ENV_INIT,
    FAILED,
    FILTERED,
    FINAL_WORDS,
    IN_FLIGHT,
    N_STATES,
    RETRY,
    SINK_IDS,
    STREAMS,
    SUCCEEDED,
    THROTTLED,
    UNSEEN,
    WAITING,
    Lane,
    View,
)


def lane_of(entry: dict, ttype: str, fifo: bool) -> tuple[str, str]:
    """The lane (key, label) an arriving input joins: its shard, its FIFO group, or the one queue."""
    if "shard" in entry and ttype in STREAMS:
        shard = str(entry["shard"])
        number = shard.rsplit("-", 1)[-1]
        return shard, f"shard {int(number)}" if number.isdigit() else shard
    if fifo and "group" in entry:
        return "group:" + str(entry["group"]), "group " + str(entry["group"])
    if ttype == "sqs":
        return "queue", "queue"
    if ttype in ("sync", "alb"):
        return "requests", "requests"
    if ttype == "schedule":
        return "events", "rule fires"
    return "events", "event queue"


class _State:
    """Mutable view state; `snapshot()` copies it cheaply for checkpoints."""

    __slots__ = ("pos", "t", "st", "lane_counts", "envs", "env_counts", "retries", "sinks", "counters", "pollers",
                 "last_bisect", "running")

    def __init__(self, n_inputs: int, n_lanes: int) -> None:
        self.pos = 0
        self.t = 0.0
        self.st = [UNSEEN] * n_inputs
        self.lane_counts = [[0] * N_STATES for _ in range(n_lanes)]
        self.envs: dict[int, tuple] = {}  # instance -> (state, n, inputs, cold)
        self.env_counts = [0, 0, 0, 0]
        self.retries: dict[str, tuple] = {}  # key -> (due | None, attempt, ids, why)
        self.sinks: dict[str, tuple] = {}  # target -> (delivery kind, count, last inputs, last HTTP status)
        # invocations, errors, throttles, cold starts, deliveries
        self.counters = [0, 0, 0, 0, 0]
        self.pollers = 0
        self.last_bisect: tuple | None = None  # (pos, inputs, left, right)
        self.running = 0

    def snapshot(self) -> _State:
        s = _State.__new__(_State)
        s.pos, s.t = self.pos, self.t
        s.st = self.st.copy()
        s.lane_counts = [c.copy() for c in self.lane_counts]
        s.envs = self.envs.copy()
        s.env_counts = self.env_counts.copy()
        s.retries = self.retries.copy()
        s.sinks = self.sinks.copy()
        s.counters = self.counters.copy()
        s.pollers = self.pollers
        s.last_bisect = self.last_bisect
        s.running = self.running
        return s



class PlaybackModel:
    """A trace's timeline as a sequence of view states. `seek(k)` makes the state the one after k entries."""

    aggregated = False  # one position per timeline entry (study.playback.aggregate has one per time slice)
    events_limited = True  # the player shows bursts at a few entries a second

    def __init__(self, trace: dict, checkpoint_every: int | None = None) -> None:
        self.trace = trace
        self.entries: list[dict] = trace.get("timeline") or []
        self.trigger_type: str = (trace.get("trigger") or {}).get("type", "")
        self.end: float = float((trace.get("summary") or {}).get("end") or 0.0)
        if self.entries:
            self.end = max(self.end, float(self.entries[-1]["t"]))
        n = len(self.entries)
        self.checkpoint_every = checkpoint_every or max(64, min(2048, n // 64 or 1))
        self._index_inputs()
        self.sink_targets = self._configured_sinks()
        self._state = _State(len(self.input_ids), len(self.lanes))
        for lane_i, members in enumerate(self.lane_members):
            self._state.lane_counts[lane_i][UNSEEN] = len(members)
        self._checkpoints: list[_State] = [self._state.snapshot()]
        # Build every checkpoint once, so stepping back never has to replay from the start.
        while self._state.pos < n:
            self._apply(self.entries[self._state.pos])
            if self._state.pos % self.checkpoint_every == 0:
                self._checkpoints.append(self._state.snapshot())
        self.final_states = self._state.st.copy()
        self._restore(0)
        self._times = [float(e["t"]) for e in self.entries]

    # -- indexing -----------------------------------------------------------------------------------------

    def _index_inputs(self) -> None:
        ids: list[str] = list((self.trace.get("inputs") or {}).keys())
        index = {iid: i for i, iid in enumerate(ids)}
        lanes: list[Lane] = []
        lane_of_key: dict[str, int] = {}
        lane_of_input: dict[str, str] = {}
        ttype = self.trigger_type
        fifo = bool(((self.trace.get("trigger") or {}).get("Queue") or {}).get("FifoQueue"))

        def lane_key(entry: dict) -> tuple[str, str]:
            return lane_of(entry, ttype, fifo)

        for e in self.entries:
            if e["kind"] in ("arrive", "filtered", "coalesced"):
                for iid in entry_inputs(e):
                    if iid not in lane_of_input:
                        key, label = lane_key(e)
                        lane_of_input[iid] = key
                        if key not in lane_of_key:
                            lane_of_key[key] = len(lanes)
                            lanes.append(Lane(key, label))
        self._instance_of_run: dict[Any, int] = {}
        for e in self.entries:
            for iid in entry_inputs(e):  # inputs that never arrived in the timeline still need a lane
                if iid not in index:
                    index[iid] = len(ids)
                    ids.append(iid)
            if e["kind"] == "invoke_start" and e.get("instance") is not None:
                self._instance_of_run[e.get("n")] = e["instance"]
        # What a synchronous caller got back (the Invoke API's status), from the trace's `http` answers.
        self._http_status = {h.get("input"): h.get("status") for h in self.trace.get("http") or []}
        # A run's status as the trace's invocations record it (the final word if a timeline entry disagrees).
        self._status_of_run = {inv.get("n"): inv.get("status") for inv in self.trace.get("invocations") or []}
        if not lanes:
            key, label = lane_key({})
            lane_of_key[key] = 0
            lanes.append(Lane(key, label))
        if ttype in STREAMS:  # shards in index order, as the trace lists them
            order = sorted(range(len(lanes)), key=lambda i: lanes[i].key)
            lanes = [lanes[i] for i in order]
            lane_of_key = {lane.key: i for i, lane in enumerate(lanes)}
        self.input_ids = ids
        self.input_index = index
        self.lanes = lanes
        self.input_lane = [lane_of_key.get(lane_of_input.get(iid, ""), 0) for iid in ids]
        self.lane_members = [[] for _ in lanes]
        for i, lane_i in enumerate(self.input_lane):
            self.lane_members[lane_i].append(i)

    def _configured_sinks(self) -> list[tuple[str, str]]:
        """Every DLQ and destination the setup names, so empty boxes show before anything arrives."""
        out: list[tuple[str, str]] = []
        fn = self.trace.get("function") or {}
        trig = self.trace.get("trigger") or {}
        dlq = (fn.get("DeadLetterConfig") or {}).get("TargetArn")
        if dlq and self.trigger_type in ASYNC_LIKE:
            out.append((dlq, "dlq"))
        for which, kind in (("OnSuccess", "on_success"), ("OnFailure", "on_failure")):
            dest = ((trig.get("DestinationConfig") or {}).get(which) or {}).get("Destination")
            if dest:
                out.append((dest, kind))
        redrive = ((trig.get("Queue") or {}).get("RedrivePolicy") or {}).get("deadLetterTargetArn")
        if redrive:
            out.append((redrive, "redrive"))
        target_dlq = (trig.get("DeadLetterConfig") or {}).get("Arn")
        if target_dlq:
            out.append((target_dlq, "target_dlq"))
        if self.trigger_type in ("sync", "alb"):
            out.append(("client", "http"))
        return out

    # -- the reducer ---------------------------------------------------------------------------------------

    def _set(self, iid: str, new: int) -> None:
        s = self._state
        i = self.input_index.get(iid)
        if i is None:
            return
        old = s.st[i]
        if old == new:
            return
        counts = s.lane_counts[self.input_lane[i]]
        counts[old] -= 1
        counts[new] += 1
        s.st[i] = new

    def _apply(self, e: dict) -> None:
        s = self._state
        kind = e["kind"]
        s.t = float(e["t"])
        ids = entry_inputs(e)
        if kind == "arrive" or kind == "visible":
            for iid in ids:
                self._set(iid, WAITING)
                s.retries.pop(iid, None)
        elif kind == "filtered":
            for iid in ids:
                self._set(iid, FILTERED)
        elif kind == "coalesced":
            for iid in ids:
                self._set(iid, COALESCED)
        elif kind == "batch":
            for iid in ids:
                self._set(iid, IN_FLIGHT)
        elif kind == "env_create":
            self._env(e["instance"], ENV_INIT, None, (), True)
        elif kind == "env_reuse":
            old = s.envs.get(e["instance"])
            self._env(e["instance"], ENV_IDLE, None, (), old[3] if old else False)
        elif kind == "invoke_start":
            inst = e.get("instance")
            if inst is not None:
                self._env(inst, ENV_BUSY, e.get("n"), tuple(ids), bool(e.get("cold_start")))
            s.counters[0] += 1
            if e.get("cold_start"):
                s.counters[3] += 1
            s.running += 1
            for iid in ids:
                self._set(iid, IN_FLIGHT)
                s.retries.pop(iid, None)
            if ids:
                s.retries.pop("|".join(ids), None)
        elif kind == "invoke_end":
            s.running = max(0, s.running - 1)
            status = self._status_of_run.get(e.get("n")) or e.get("status")
            inst = self._instance_of_run.get(e.get("n"))
            env = s.envs.get(inst) if inst is not None else None
            if env is not None and env[0] == ENV_BUSY and env[1] == e.get("n"):
                self._env(inst, ENV_IDLE, None, (), False)
            if status in ("error", "timeout"):
                s.counters[1] += 1
            new = {"success": SUCCEEDED, "error": FAILED, "timeout": FAILED}.get(status, ENDED)
            for iid in ids:
                # An SQS run that started late (after throttles) can outlast the visibility timeout: a message
                # redriven meanwhile stays in the DLQ whatever the run's outcome.
                i = self.input_index.get(iid)
                if i is None or s.st[i] != DEAD:
                    self._set(iid, new)
            if self.trigger_type == "sync":
                self._answer(ids)
        elif kind == "env_expire":
            self._env(e["instance"], ENV_GONE, None, (), False)
        elif kind == "throttle":
            s.counters[2] += 1
            # A throttled synchronous call is answered 429 at once: that is its end.
            throttled = FAILED if self.trigger_type in ("sync", "alb") else THROTTLED
            for iid in ids:
                self._set(iid, throttled)
            if self.trigger_type == "sync":
                self._answer(ids)
            if e.get("retry_in") is not None and ids:
                s.retries["|".join(ids)] = (s.t + float(e["retry_in"]), None, tuple(ids), "throttled")
        elif kind == "retry_scheduled":
            for iid in ids:
                self._set(iid, RETRY)
            key = "|".join(ids) if "inputs" in e else (ids[0] if ids else "")
            due = e.get("due")
            s.retries[key] = (float(due) if due is not None else None, e.get("attempt"), tuple(ids), "retry")
        elif kind == "bisect":
            for iid in ids:
                self._set(iid, WAITING)
            s.last_bisect = (s.pos, tuple(ids), tuple(e.get("left") or ()), tuple(e.get("right") or ()))
        elif kind in ("checkpoint", "delete"):
            for iid in ids:
                self._set(iid, SUCCEEDED)
        elif kind == "redrive":
            for iid in ids:
                self._set(iid, DEAD)
        elif kind in ("expire", "discard"):
            for iid in ids:
                self._set(iid, DROPPED)
                s.retries.pop(iid, None)
            if ids:
                s.retries.pop("|".join(ids), None)
        elif kind == "deliver":
            target = e.get("target", "?")
            delivery = e.get("delivery", "")
            old = s.sinks.get(target)
            # Every input the target has received so far (kept to SINK_IDS; the count is exact).
            seen = ((old[2] if old else ()) + tuple(ids))[:SINK_IDS]
            s.sinks[target] = (delivery, (old[1] if old else 0) + len(ids), seen, e.get("status"))
            if delivery == "http":
                status = e.get("status")
                ok = isinstance(status, int) and status < 400
                for iid in ids:
                    self._set(iid, SUCCEEDED if ok else FAILED)
            else:
                s.counters[4] += 1
                if delivery in ("dlq", "on_failure", "redrive", "target_dlq"):
                    for iid in ids:
                        self._set(iid, DEAD)
        elif kind == "drop_batch":
            # A poller gives up a throttled SQS batch: its retry countdown ends; a `visible` entry follows.
            if ids:
                s.retries.pop("|".join(ids), None)
        elif kind == "scale":
            s.pollers = int(e.get("pollers") or 0)
        s.pos += 1

    def _answer(self, ids: list[str]) -> None:
        """A synchronous call is answered when its run ends or it is throttled: the caller's box fills."""
        s = self._state
        old = s.sinks.get("client")
        status = self._http_status.get(ids[0]) if ids else None
        s.sinks["client"] = ("http", (old[1] if old else 0) + len(ids), tuple(ids), status)

    def _env(self, inst: int, state: int, n: Any, inputs: tuple, cold: bool) -> None:
        s = self._state
        old = s.envs.get(inst)
        if old is not None:
            s.env_counts[old[0]] -= 1
        s.env_counts[state] += 1
        s.envs[inst] = (state, n, inputs, cold)

    def _restore(self, k: int) -> None:
        cp = self._checkpoints[min(k // self.checkpoint_every, len(self._checkpoints) - 1)]
        self._state = cp.snapshot()

    # -- public ---------------------------------------------------------------------------------------------

    @property
    def pos(self) -> int:
        return self._state.pos

    def __len__(self) -> int:
        return len(self.entries)

    def seek(self, k: int) -> int:
        """Make the state the one after entries[:k]; returns the clamped k."""
        k = max(0, min(len(self.entries), k))
        if k < self._state.pos or k - self._state.pos > self.checkpoint_every:
            self._restore(k)
        while self._state.pos < k:
            self._apply(self.entries[self._state.pos])
        return k

    def step(self, delta: int = 1) -> int:
        return self.seek(self._state.pos + delta)

    def next_time(self) -> float | None:
        """The time of the next entry to apply, or None at the end."""
        if self._state.pos < len(self.entries):
            return self._times[self._state.pos]
        return None

    def index_at_time(self, t: float) -> int:
        """How many entries happen at or before t."""
        return _bisect.bisect_right(self._times, t)

    def time_at(self, k: int) -> float:
        """The clock after k entries: the time of entry k-1 (0 before anything)."""
        if k <= 0 or not self._times:
            return 0.0
        return self._times[min(k, len(self._times)) - 1]

    def view(self) -> View:
        s = self._state
        return View(
            pos=s.pos, total=len(self.entries), t=s.t, end=self.end, lanes=self.lanes, lane_counts=s.lane_counts,
            lane_members=self.lane_members, input_ids=self.input_ids, states=s.st, envs=s.envs,
            env_counts=s.env_counts, retries=s.retries, sinks=s.sinks, invocations=s.counters[0],
            errors=s.counters[1], throttles=s.counters[2], cold_starts=s.counters[3], deliveries=s.counters[4],
            pollers=s.pollers, running=s.running, last_bisect=s.last_bisect,
            current=self.entries[s.pos - 1] if s.pos else None,
        )

    def final_word(self, iid: str) -> str | None:
        """The trace-style final word the reducer reaches for an input after the whole timeline."""
        i = self.input_index.get(iid)
        if i is None:
            return None
        return FINAL_WORDS.get(self.final_states[i], "pending")

    @property
    def by_step(self) -> bool:
        """Everything happens at one instant (t = 0): the timeline is drawn by step instead of by time."""
        return self.end <= 0 and len(self.entries) > 1

    def column(self, t: float, pos: int, width: int) -> int:
        """Where time t (or, for a one-instant run, step pos) falls on a bar `width` columns wide."""
        if self.by_step:
            return max(0, min(width - 1, int(pos / max(1, len(self.entries)) * (width - 1) + 0.5)))
        if self.end <= 0:
            return 0
        return max(0, min(width - 1, int(t / self.end * (width - 1) + 0.5)))

    def series(self, width: int) -> dict[str, list[int]]:
        """Per column of a bar `width` wide: the most runs going at once (a run spanning columns counts in each)."""
        width = max(1, width)
        running = [0] * width
        level, last = 0, 0
        for i, e in enumerate(self.entries):
            kind = e["kind"]
            if kind != "invoke_start" and kind != "invoke_end":
                continue
            c = self.column(float(e["t"]), i, width)
            for k in range(last + 1, c):
                running[k] = level
            level += 1 if kind == "invoke_start" else -1
            running[c] = max(running[c], level)
            last = c
        return {"running": running}

    def histogram(self, width: int) -> list[tuple[int, int]]:
        """Invocation starts and errors per column when the run is drawn `width` columns wide."""
        width = max(1, width)
        cols = [[0, 0] for _ in range(width)]
        for i, e in enumerate(self.entries):
            kind = e["kind"]
            if kind == "invoke_start" or (kind == "invoke_end" and e.get("status") in ("error", "timeout")):
                c = self.column(float(e["t"]), i, width)
                cols[c][0 if kind == "invoke_start" else 1] += 1
        return [(a, b) for a, b in cols]
