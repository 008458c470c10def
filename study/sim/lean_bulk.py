"""Lean runs in bulk (`study sim --summary` on a large backlog): messages and records as counts, identical runs as
one group, so the cost follows the poll rounds instead of the messages (docs/emulator.md "Lean mode and scale").

Used only when nothing could tell two messages of a backlog apart: a `behavior` handler whose runs all succeed
(no failing inputs, no failure reports, no timeout), no misconception, no batching window or delay, and no throttle
or expiry that could touch one batch and not another. The counts then follow the same events in the same order as
the per-message sources (study.sim.sqs, study.sim.streams), so the summary and the final-state counts are the same;
any other scenario runs the exact path (tests/test_sim_bulk.py compares the two on generated workloads).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from study.sim.engine import P_ARRIVE, P_END, P_START, P_VISIBLE, Engine, seconds
from study.sim.scenario.defaults import MS
from study.sim.scenario.model import Scenario
from study.sim.scenario.profiles import PROFILES
from study.sim.sqs import SqsSource
from study.sim.streams import StreamSource


class Runs:
    """`count` identical runs started together: same start, end and billing."""

    __slots__ = ("start", "end", "count", "billed", "init_billed", "size", "on_end", "members")

    def tally(self, cutoff: int | None, n: int, billed: int, last_end: float) -> tuple[int, int, float]:
        """Add these runs, still going when the clock stopped at `cutoff`, as `Engine.lean_result` adds one."""
        if cutoff is not None and self.start > cutoff:
            return n, billed, last_end
        running = cutoff is not None and self.end > cutoff
        billed += self.count * (max(1, cutoff - self.start + self.init_billed) if running else self.billed)
        if not running:
            last_end = max(last_end, seconds(self.end) * MS)
        return n + self.count, billed, last_end


class BulkRuns:
    """Starts and ends groups of runs for a bulk source, with the warm environments as blocks of those freed at
    the same instant (oldest first), which is all the per-environment pool decides: how many runs are cold."""

    def __init__(self, engine: Engine):
        self.e = engine
        self.idle: deque[list[int]] = deque()  # [idle_since, count]
        b = engine.s.behavior
        self.duration_ms, self.per_record_ms = b.duration_ms, b.duration_per_record_ms
        self.init_billed = PROFILES[engine.s.profile].init_billed  # pricing.init-billing
        self.next_id = 0

    def _acquire(self, k: int) -> int:
        """Take `k` environments as `_acquire_env` would one by one: expire the idle ones past idle_ttl, reuse the
        newest freed; the rest are new. Returns how many are warm."""
        e, idle = self.e, self.idle
        while idle and e.now - idle[0][0] >= e.idle_ms:
            idle.popleft()
        warm = 0
        while idle and warm < k:
            block = idle[-1]
            take = min(block[1], k - warm)
            warm += take
            block[1] -= take
            if not block[1]:
                idle.pop()
        return warm

    def start(self, specs: list[tuple], on_end: Callable[[Runs], None]) -> int:
        """Start runs for batches given in order as (how many, records each[, whose: one per batch, kept in the
        groups as `members`]); returns how many started (fewer when max_invocations stops the run)."""
        e = self.e
        total = sum(spec[0] for spec in specs)
        allowed = min(total, e.s.max_invocations - e.n_started)
        if allowed < total:
            e.stopped_by = "max_invocations"
        if allowed <= 0:
            return 0
        warm = self._acquire(allowed)
        if e.now > e.last_ms:
            e.last_ms = e.now
        started = 0
        for count, size, *whose in specs:
            count = min(count, allowed - started)
            if count <= 0:
                break
            members = whose[0] if whose else None
            w = min(count, max(0, warm - started))  # the first batches get the warm environments
            if w:
                self._group(w, size, False, on_end, members and members[:w])
            if count - w:
                self._group(count - w, size, True, on_end, members and members[w:count])
            started += count
        e.n_started += allowed
        e.running += allowed
        if e.running > e.max_running:
            e.max_running = e.running
        return allowed

    def _group(self, count: int, size: int, cold: bool, on_end: Callable[[Runs], None], members) -> None:
        e = self.e
        g = Runs()
        g.count, g.size, g.on_end, g.members = count, size, on_end, members
        duration = self.duration_ms + self.per_record_ms * size
        init = e.init_ms if cold else 0
        g.start = e.now + init
        g.end = g.start + duration
        g.init_billed = init if self.init_billed else 0  # pricing.init-billing
        g.billed = max(1, duration + g.init_billed)
        if g.start > e.last_ms:
            e.last_ms = g.start
        self.next_id += 1
        e.live_groups[self.next_id] = g
        e.at(g.end, P_END, self._end, g, self.next_id)

    def _end(self, g: Runs, key: int) -> None:
        e = self.e
        e.running -= g.count
        self.idle.append([e.now, g.count])
        if e.now > e.last_ms:
            e.last_ms = e.now
        g.on_end(g)
        del e.live_groups[key]
        e.n_done += g.count
        e.billed_done += g.count * g.billed
        end = seconds(g.end) * MS
        if end > e.last_end_ms:
            e.last_end_ms = end


def _noop() -> None:
    """A visibility timeout that finds its messages deleted (it still counts for `until` and the time cap)."""


def _finals(**counts: int) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


def _plain_behavior(s: Scenario, batch: int) -> int | None:
    """The longest run (ms) when every run succeeds whatever its inputs; None otherwise."""
    b = s.behavior
    if s.handler or s.misconceptions or b.fail != "never" or b.fail_records or b.report_failures:
        return None
    if b.has_returns and "ReportBatchItemFailures" in s.trigger.get("FunctionResponseTypes", ()):
        return None
    longest = b.duration_ms + b.duration_per_record_ms * batch
    return longest if longest <= s.function["Timeout"] * MS else None


def _limit(s: Scenario) -> int:
    reserved = s.function["ReservedConcurrentExecutions"]
    return reserved if reserved is not None else s.account_concurrency


def sqs_bulk_ok(s: Scenario) -> bool:
    t = s.trigger
    q = t["Queue"]
    if q["FifoQueue"] or t["MaximumBatchingWindowInSeconds"] or q["DelaySeconds"]:
        return False
    longest = _plain_behavior(s, t["BatchSize"])
    if longest is None or round(s.function["init_duration"] * MS) + longest > t["effective_visibility_timeout"] * MS:
        return False  # a message could reappear while its run goes on
    rate, cap = PROFILES[s.profile].sqs_scaling
    maxc = t["ScalingConfig"]["MaximumConcurrency"]
    if min(cap, maxc or cap, len(s.inputs)) > _limit(s):
        return False  # a batch could be throttled (batches in flight: at most the pollers, at most the messages)
    return not any(delay for (delay,), _ in s.inputs.columns(("delay_ms",)))


class BulkSqsSource(SqsSource):
    """A standard queue whose messages all succeed on their first receive: the visible backlog is a count, a poll
    round takes batches for every free poller at once (sqs.batching, sqs.scaling)."""

    def __init__(self, engine: Engine):
        super().__init__(engine)
        self.runs = BulkRuns(engine)
        self.n_inputs = len(self.s.inputs)
        self.done = 0
        engine.counted_finals = lambda: _finals(pending=self.n_inputs - self.done, succeeded=self.done)

    def start(self) -> None:
        for at_ms, first, end in self.s.inputs.instants():
            self.e.at(at_ms, P_ARRIVE, self._arrive_n, end - first)

    def _arrive_n(self, k: int) -> None:
        e = self.e
        if e.now > e.last_ms:
            e.last_ms = e.now
        self.n_sent += k
        self.n_visible += k
        if self.t0 is None:
            self.t0 = e.now
        self.request_poll()

    def poll(self) -> None:
        e = self.e
        self.poll_pending_at = None
        free = self.pollers() - self.inflight_batches
        if free > 0 and self.n_visible:
            taken = min(free * self.batch_size, self.n_visible)
            self.n_visible -= taken
            full, rest = divmod(taken, self.batch_size)
            specs = [(full, self.batch_size)] if full else []
            if rest:
                specs.append((1, rest))
            self.inflight_batches += full + (1 if rest else 0)
            e.at(e.now + self.vt_ms, P_VISIBLE, _noop)
            self.runs.start(specs, self._ended_n)
        if self.n_visible and self._free() <= 0 and self.pollers() < min(
                self.cap, self.max_concurrency or self.cap) and self.t0 is not None:
            self._schedule_scale()

    def _ended_n(self, g: Runs) -> None:
        e = self.e
        self.inflight_batches -= g.count
        deleted = g.count * g.size
        self.done += deleted
        e.settled += deleted
        self.request_poll()


def stream_bulk_ok(s: Scenario) -> bool:
    t = s.trigger
    if t["ParallelizationFactor"] != 1 or t["MaximumBatchingWindowInSeconds"]:
        return False
    batch = t["BatchSize"]
    longest = _plain_behavior(s, batch)
    shards = t["Stream"]["ShardCount"]
    if longest is None or shards > _limit(s):
        return False
    if not s.inputs:
        return True
    # No record may reach the retention period or MaximumRecordAgeInSeconds before its batch starts: a batch
    # starts by the last arrival (or the mapping's start) plus a run per batch, and a shard's batches are at most
    # one per BatchSize records plus one per arrival instant.
    at = [t for t, _, _ in s.inputs.instants()]
    first, last, instants = at[0], at[-1], len(at)
    batches = math.ceil(len(s.inputs) / batch) + instants + shards
    latest = max(last, round(t["mapping_at"] * MS)) + batches * (round(s.function["init_duration"] * MS) + longest)
    age = t["MaximumRecordAgeInSeconds"]
    limit = t["Stream"]["RetentionPeriodHours"] * 3600 * MS
    if age != -1:
        limit = min(limit, age * MS + 1)
    return latest - first < limit


class BulkStreamSource(StreamSource):
    """Kinesis or DynamoDB records that all succeed, one batch at a time per shard: each shard's unread records
    are a count (stream.shard-order)."""

    def __init__(self, engine: Engine):
        super().__init__(engine)
        self.runs = BulkRuns(engine)
        self.unread = [0] * len(self.shards)
        self.n_inputs = len(self.s.inputs)
        self.done = 0
        self.filtered = 0
        self.arrival_at: set[int] = set()
        self.asked: list = []  # shards asked to poll at this instant, in order
        b = self.s.behavior
        self.together = b.duration_ms + b.duration_per_record_ms > 0  # no run ends at the instant it starts
        engine.counted_finals = lambda: _finals(filtered=self.filtered,
                                                pending=self.n_inputs - self.done - self.filtered,
                                                succeeded=self.done)

    def start(self) -> None:
        inputs = self.s.inputs
        for at_ms, first, end in inputs.instants():
            self.arrival_at.add(at_ms)
            # By shard, in the order the shards first appear (the order of their polls); a `count` input whose
            # records share their shard or partition key is one count.
            counts: dict[int, int] = {}
            for (shard,), k in inputs.columns(("shard",), first, end):
                counts[shard] = counts.get(shard, 0) + k
            if None in counts:  # some go by partition key
                counts = {}
                for (shard, key), k in inputs.columns(("shard", "partition_key"), first, end):
                    shard = self.shard_of(shard, key)
                    counts[shard] = counts.get(shard, 0) + k
            self.e.at(at_ms, P_ARRIVE, self._arrive_n, counts)
        if self.mapping_at:
            for shard in self.shards:
                self.e.at(self.mapping_at, P_START, self.poll, shard)

    def _readable_now(self) -> bool:
        if self.position == "LATEST":
            return self.e.now >= self.mapping_at
        if self.position == "AT_TIMESTAMP":
            return self.e.epoch_ms(self.e.now) >= self.t["StartingPositionTimestamp"] * 1000
        return True

    def _arrive_n(self, counts: dict[int, int]) -> None:
        e = self.e
        if e.now > e.last_ms:
            e.last_ms = e.now
        readable = self._readable_now()
        for s, k in counts.items():
            self.shards[s].count += k
            if not readable:
                self.filtered += k
                e.settled += k
                continue
            self.unread[s] += k
            self.request_poll(self.shards[s])

    def request_poll(self, shard) -> None:
        """As the per-record source asks for a shard's poll; when every run lasts at least 1 ms (`together`), the
        shards asked for at one instant are polled in one event, in the order asked: between their polls
        nothing could have run that touches another shard or the environments (no run ends at the instant it
        starts, and a job's next step only frees its own shard)."""
        now = self.e.now
        if now < self.mapping_at or shard.poll_at == now:
            return
        shard.poll_at = now
        if not self.together:
            self.e.at(now, P_START, self.poll, shard)
            return
        if not self.asked:
            self.e.at(now, P_START, self._poll_asked)
        self.asked.append(shard)

    def _poll_asked(self) -> None:
        shards, self.asked = self.asked, []
        self._poll_round(shards)

    def poll(self, shard) -> None:
        self._poll_round([shard])

    def _poll_round(self, shards: list) -> None:
        """Each shard takes its next batch if it has none in flight; the runs start together, shards whose
        batches are the same size in a row as one group (the first ones get the warm environments)."""
        e = self.e
        specs: list[tuple[int, int, list]] = []
        for shard in shards:
            shard.poll_at = None
            if e.now < self.mapping_at or shard.jobs:
                continue
            k = min(self.batch_size, self.unread[shard.index])
            if not k:
                continue
            self.unread[shard.index] -= k
            shard.jobs += 1
            if specs and specs[-1][1] == k:
                specs[-1][2].append(shard)
                specs[-1] = (specs[-1][0] + 1, k, specs[-1][2])
            else:
                specs.append((1, k, [shard]))
        if specs:
            if e.now > e.last_ms:
                e.last_ms = e.now
            self.runs.start(specs, self._ended_n)

    def _ended_n(self, g: Runs) -> None:
        e = self.e
        self.done += g.size * g.count
        e.settled += g.size * g.count
        if not self.together or e.now in self.arrival_at:
            e.at(e.now, P_START, self._finish_n, g.members)  # esm.poller: the jobs' next step, then the next poll
        else:
            # With no arrival at this instant (and no run that ends as it starts) nothing runs between the
            # runs' ends and the steps they schedule, so the step is taken now: the shards' polls still come
            # after every end, in the same order.
            self._finish_n(g.members)

    def _finish_n(self, shards: list) -> None:
        for shard in shards:
            shard.jobs -= 1
            self.request_poll(shard)


def bulk_source(scenario: Scenario) -> type | None:
    """The bulk source class for a lean run of this scenario, or None when it needs the per-message path."""
    kind = scenario.trigger["type"]
    if kind == "sqs" and sqs_bulk_ok(scenario):
        return BulkSqsSource
    if kind in ("kinesis", "dynamodb") and stream_bulk_ok(scenario):
        return BulkStreamSource
    return None
