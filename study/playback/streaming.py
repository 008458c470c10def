"""A run for playback that may be too big to keep: `run_for_playback` runs the emulator with a sink that
`Engine.run` feeds like `study.sim.spool.TraceSpool` (`every` events apart, `flush(engine)`). While the run is
small the sink leaves everything to the engine and the trace is the usual one, byte for byte. Once it is big
(more than FULL_RUNS invocations or FULL_ENTRIES timeline entries, or more than FULL_INPUTS inputs up front) the
sink takes finished records out of the engine as it goes and reduces them into an `AggregateModel`: the same
reducer as `PlaybackModel`, in timeline order, with counts per time slice, a bounded sample of entries and runs,
and no per-run record kept. Memory is then bounded by the live state, not by the number of runs.
"""

from __future__ import annotations

from typing import Any

from study.playback.aggregate import MAX_SLICES, AggregateModel, Slice
from study.playback.entries import entry_inputs
from study.playback.reducer import PlaybackModel, _State, lane_of
from study.playback.states import N_STATES, UNSEEN, Lane

FULL_RUNS = 20_000  # a run with more invocations is aggregated (a full trace of 20,000 runs is ~1 GB)
FULL_ENTRIES = 400_000  # or with more timeline entries than this
FULL_INPUTS = 20_000  # or with more inputs than this, decided before the run
EVERY = 2000  # events between two flushes (and two progress reports)
LANES = 16  # lanes kept apart; the rest share the last one
SAMPLE_HEAD = 400  # timeline entries kept from the start, whatever they are
SAMPLE_MAX = 20_000  # sampled entries at most (then only pollers' scaling steps)
RARE = {"scale": 10_000, "redrive": 200, "deliver": 200, "expire": 200, "discard": 200, "bisect": 200,
        "throttle": 200, "drop_batch": 200, "env_create": 400, "env_expire": 200}
PER_SLICE = ("invoke_start", "invoke_end")  # kinds sampled once a slice (at most 2 x MAX_SLICES entries)
INPUTS_KEPT = 2000  # inputs whose final state an aggregated trace lists (the others are counted)
DELIVERIES_KEPT = 200


class _HttpStatus:
    """The Invoke API status per input, read from the engine's live answers (the reducer's `_http_status`)."""

    def __init__(self, http: dict) -> None:
        self.http = http

    def get(self, iid: Any, default: Any = None) -> Any:
        answer = self.http.get(iid)
        return answer.get("status", default) if isinstance(answer, dict) else default


class _Reducer(PlaybackModel):
    """`PlaybackModel`'s reducer fed one entry at a time: lanes are found as inputs arrive, finished runs and
    expired environments are forgotten. It does not index a trace, so PlaybackModel.__init__ is not called."""

    def __init__(self, engine) -> None:  # noqa: D107 - see the class
        self.trace = engine.trace_head()
        self.trigger_type = (self.trace.get("trigger") or {}).get("type", "")
        self.fifo = bool(((self.trace.get("trigger") or {}).get("Queue") or {}).get("FifoQueue"))
        self.entries = []
        self.input_ids = list(engine.inputs)
        self.input_index = {iid: i for i, iid in enumerate(self.input_ids)}
        n = len(self.input_ids)
        self.input_lane = [0] * n
        self._placed = bytearray(n)
        self.lanes: list[Lane] = []
        self._lane_index: dict[str, int] = {}
        self.more_lanes = 0  # lane keys beyond LANES, counted in the last lane
        self._instance_of_run: dict[Any, int] = {}
        self.ended: list[Any] = []  # runs whose invoke_end was reduced since the sink last looked
        self._http_status = _HttpStatus(engine.http)
        self._status_of_run: dict = {}
        self._state = _State(n, 1)
        self._state.lane_counts[0][UNSEEN] = n

    def _lane(self, entry: dict) -> int:
        key, label = lane_of(entry, self.trigger_type, self.fifo)
        i = self._lane_index.get(key)
        if i is None:
            if len(self.lanes) < LANES:
                i = self._lane_index[key] = len(self.lanes)
                self.lanes.append(Lane(key, label))
                if i:
                    self._state.lane_counts.append([0] * N_STATES)
            else:
                i = self._lane_index[key] = LANES - 1
                self.more_lanes += 1
                self.lanes[-1] = Lane("more", f"+{self.more_lanes + 1} lanes")
        return i

    def _register(self, iid: str) -> None:
        """An input the engine made as it ran (a schedule's firing): it joins, unseen, in the first lane."""
        self.input_index[iid] = len(self.input_ids)
        self.input_ids.append(iid)
        self.input_lane.append(0)
        self._placed.append(0)
        self._state.st.append(UNSEEN)
        self._state.lane_counts[0][UNSEEN] += 1

    def _apply(self, e: dict) -> None:
        kind = e["kind"]
        index = self.input_index
        for iid in entry_inputs(e):
            if iid not in index:
                self._register(iid)
        if kind in ("arrive", "filtered", "coalesced"):
            s = self._state
            for iid in entry_inputs(e):
                i = index[iid]
                if self._placed[i]:
                    continue
                self._placed[i] = 1
                lane = self._lane(e)
                old = self.input_lane[i]
                if lane != old:
                    s.lane_counts[old][s.st[i]] -= 1
                    s.lane_counts[lane][s.st[i]] += 1
                    self.input_lane[i] = lane
        elif kind == "invoke_start" and e.get("instance") is not None:
            self._instance_of_run[e.get("n")] = e["instance"]
        super()._apply(e)
        if kind == "invoke_end":
            self._instance_of_run.pop(e.get("n"), None)
            self.ended.append(e.get("n"))
        elif kind == "env_expire":
            self._state.envs.pop(e["instance"], None)  # counted as expired; never used again


class PlaybackSink:
    """Fed by `Engine.run(source, sink)`; inactive (the engine keeps everything) until the run is big."""

    def __init__(self, engine, active: bool = False, every: int | None = None) -> None:
        self.every = every or EVERY
        self.pending = FULL_ENTRIES  # the engine flushes as well once its timeline holds more entries than this
        self.active = False
        self.slice_s = 0.001
        self.slices: list[Slice] = []
        self._edge = self.slice_s  # where the open slice ends
        self._peak = 0
        self.sample: list[dict] = []
        self._skipped = 0
        self._rare: dict[str, int] = {}
        self._kind_slice: dict[str, int] = {}
        self.wanted: set[Any] = set()
        self.runs: dict[Any, dict] = {}
        self.deliveries: list[dict] = []
        self.delivery_counts: dict[str, int] = {}
        self.entries_seen = 0
        self.last_t = 0.0
        self.n = self.errors = self.billed = 0
        self.last_end = 0.0
        self.reducer: _Reducer | None = None
        if active:
            self._activate(engine)

    def _activate(self, engine) -> None:
        self.active = True
        self.reducer = _Reducer(engine)

    # -- fed by the engine ----------------------------------------------------------------------------------

    def flush(self, e) -> None:
        if not self.active:
            if e.n_started <= FULL_RUNS and len(e.timeline) <= FULL_ENTRIES:
                return
            self._activate(e)
        now = e.now
        mark = now
        for env in e.envs:  # an idle environment's expiry is written later, at the time it expired
            if not env.busy and env.stream is not None:
                mark = min(mark, env.idle_since + e.idle_ms)
        # Up to the mark included: an entry written later at the same time has a later sequence number, so it
        # sorts after every entry taken now (and a retroactive expiry is at or after the mark).
        ready = [x for x in e.timeline if x[0] <= mark]
        if ready:
            e.timeline = [x for x in e.timeline if x[0] > mark] if len(ready) != len(e.timeline) else []
            ready.sort(key=lambda x: (x[0], x[1]))
            self._reduce(ready)
        e.logs = []  # an aggregated run shows no log lines
        self._deliveries(e.deliveries)
        e.deliveries = []
        # Runs whose end the reducer has seen (by the clock alone a run that ends at the instant it starts, as
        # retries of a zero-length run do, would never look finished).
        ended = self.reducer.ended
        if not ended:
            return
        gone = set(ended)
        ended.clear()
        live, done = [], []
        for inv in e.invocations:
            (done if inv.n in gone else live).append(inv)
        if done:
            e.invocations = live
            for inv in done:
                self._count(inv.n, inv.billed_ms, inv.status, inv.end, inv)
                # Its end callback has run: dropping it lets go of what it closed over (a stream's retried batch
                # keeps the run it repeats, whose callback keeps the batch before: a chain as long as the run).
                inv.on_end = None

    def _deliveries(self, entries: list[tuple]) -> None:
        for _, _, d in sorted(entries, key=lambda x: (x[0], x[1])):
            target = d.get("target")
            self.delivery_counts[target] = self.delivery_counts.get(target, 0) + 1
            if len(self.deliveries) < DELIVERIES_KEPT:
                self.deliveries.append(d)

    def _count(self, n: Any, billed: int, status: str, end_ms: int | None, inv) -> None:
        from study.sim.engine import seconds
        from study.sim.scenario.defaults import MS

        self.n += 1
        self.billed += billed
        self.errors += status in ("error", "timeout")
        if end_ms is not None:
            self.last_end = max(self.last_end, seconds(end_ms) * MS)
        if n in self.wanted:
            self.wanted.discard(n)
            self.runs[n] = inv.to_json(None) if not isinstance(inv, dict) else inv

    # -- reducing -------------------------------------------------------------------------------------------

    def _reduce(self, ready: list[tuple]) -> None:
        reducer = self.reducer
        apply = reducer._apply
        s = reducer._state
        for _, _, entry in ready:
            t = entry["t"]
            if t >= self._edge:
                self._close_until(t)
            self._keep(entry)
            apply(entry)
            if s.running > self._peak:
                self._peak = s.running
        self.entries_seen += len(ready)
        self.last_t = max(self.last_t, float(ready[-1][2]["t"]))

    def _keep(self, entry: dict) -> None:
        """The event log's sample: the first entries, the rare kinds, then a run's start and end per slice."""
        kind = entry["kind"]
        size = len(self.sample)
        if size < SAMPLE_HEAD:
            keep = True
        elif kind in RARE:
            keep = self._rare.get(kind, 0) < RARE[kind] and (size < SAMPLE_MAX or kind == "scale")
        else:  # a run's start and end once a slice, so the log spans the whole run within SAMPLE_MAX
            keep = (kind in PER_SLICE and size < SAMPLE_MAX and self._kind_slice.get(kind) != len(self.slices))
        if not keep:
            self._skipped += 1
            return
        if self._skipped:
            self.sample.append({"t": entry["t"], "kind": "skipped", "count": self._skipped})
            self._skipped = 0
        self.sample.append(entry)
        self._rare[kind] = self._rare.get(kind, 0) + 1
        self._kind_slice[kind] = len(self.slices)
        if kind in ("invoke_start", "invoke_end"):
            self.wanted.add(entry.get("n"))

    def _snapshot(self, peak: int) -> Slice:
        s = self.reducer._state
        last = self.slices[-1].counters if self.slices else (0, 0, 0, 0, 0)
        counters = tuple(s.counters)
        return Slice(s.running, s.pollers, tuple(s.env_counts), counters,
                     tuple(tuple(c) for c in s.lane_counts), len(s.retries), tuple(s.sinks.items()), peak,
                     counters[0] - last[0], counters[1] - last[1])

    def _close_until(self, t: float) -> None:
        """Close the open slice and the empty ones before the slice of time t."""
        while int(t / self.slice_s) >= MAX_SLICES:
            self._halve()
        b = int(t / self.slice_s)
        slices = self.slices
        closed = self._snapshot(self._peak)
        slices.append(closed)
        running = self.reducer._state.running
        if b > len(slices):
            empty = Slice(closed.running, closed.pollers, closed.env_counts, closed.counters, closed.lane_counts,
                          closed.retries, closed.sinks, running, 0, 0)
            slices.extend([empty] * (b - len(slices)))
        self._peak = running
        self._edge = (len(slices) + 1) * self.slice_s

    def _halve(self) -> None:
        """Twice the slice length: pairs of slices merge (an odd last one merges into the open slice)."""
        old = self.slices
        if len(old) % 2:
            self._peak = max(self._peak, old.pop().max_running)
        self.slices = [old[i].merged(old[i + 1]) for i in range(0, len(old), 2)]
        self.slice_s *= 2
        self._edge = (len(self.slices) + 1) * self.slice_s

    # -- the end --------------------------------------------------------------------------------------------

    def finish(self, e, source) -> AggregateModel:
        cutoff = e.cutoff()
        ready = sorted((x for x in e.timeline if cutoff is None or x[0] <= cutoff), key=lambda x: (x[0], x[1]))
        e.timeline = []
        if ready:
            self._reduce(ready)  # first: the sample it keeps says which runs' records to keep
        for inv in e.invocations:
            if cutoff is not None and inv.start > cutoff:
                continue
            record = inv.to_json(cutoff)
            self._count(inv.n, record["billed_ms"], record["status"],
                        inv.end if record["end"] is not None else None, record)
        e.invocations = []
        self._deliveries([x for x in e.deliveries if cutoff is None or x[0] <= cutoff])
        e.deliveries, e.logs = [], []
        e._settle_cutoff(cutoff)
        summary = e.summary(self.n, self.errors, self.billed, self.last_end)
        end = max(float(summary.get("end") or 0.0), self.last_t)
        self.slices.append(self._snapshot(self._peak))
        if self._skipped:
            self.sample.append({"t": self.last_t, "kind": "skipped", "count": self._skipped})
        finals: dict[str, int] = {}
        kept: dict[str, dict] = {}
        for iid, st in e.inputs.items():
            finals[st.final] = finals.get(st.final, 0) + 1
            if len(kept) < INPUTS_KEPT:
                kept[iid] = st.to_json()
        reducer = self.reducer
        if not reducer.lanes:
            reducer._lane({})
        trace = {**e.trace_head(), "invocations": [self.runs[n] for n in sorted(self.runs)],
                 "deliveries": self.deliveries, "inputs": kept, "http": [], "logs": [], "timeline": [],
                 "summary": summary,
                 "aggregated": {"inputs": len(e.inputs), "inputs_kept": len(kept), "finals": finals,
                                "deliveries": dict(self.delivery_counts), "timeline_entries": self.entries_seen,
                                "slice_s": self.slice_s}}
        reducer.trace = trace
        return AggregateModel(trace, self.slices, self.slice_s, end, reducer.lanes, self.sample, self.runs,
                              reducer._configured_sinks())


def run_for_playback(scenario, progress=None) -> tuple[dict, AggregateModel | None]:
    """Run a scenario for the app: (its trace, None) when the run is small enough to keep whole (the trace is
    `simulate`'s, byte for byte), else (an aggregated trace: head, summary, samples and counts, and its
    `AggregateModel`). `progress(engine)` as for `Engine.run` (it may cancel by raising Cancelled)."""
    from study.sim.engine import Engine
    from study.sim.run import source_for

    engine = Engine(scenario)
    source = source_for(engine)
    sink = PlaybackSink(engine, active=len(engine.inputs) > FULL_INPUTS)
    engine.run(source, sink, progress)
    if not sink.active:
        return engine.trace(source), None
    model = sink.finish(engine, source)
    return model.trace, model
