"""Kinesis and DynamoDB stream mappings: per-shard order, whole-batch retries, bisect, retry and age limits,
ParallelizationFactor, StartingPosition, partial batch responses, on-failure records (docs/emulator.md §6)."""

from __future__ import annotations

import hashlib

from study.sim import payloads
from study.sim.batch_response import failed_item_ids
from study.sim.engine import P_START, Engine, throttle_delay_s
from study.sim.scenario.defaults import MS
from study.sim.sources.base import Source


class Record:
    __slots__ = ("iid", "shard", "shard_id", "sequence_number", "arrival_ms", "partition_key", "data", "event", "item",
                 "old_item", "input_id", "state")


class SubBatch:
    """A (sub)batch as it now stands, with its retry counter (stream.bisect: halves start at 0; stream.partial-batch: carries)."""

    __slots__ = ("records", "retries", "last")

    def __init__(self, records: list[Record], retries: int, last=None):
        self.records = records
        self.retries = retries
        self.last = last


class Job:
    """One batch taken from a shard, resolved depth-first: left half before right, before any new records."""

    __slots__ = ("shard", "stack", "keys", "throttle_k", "ids")

    def __init__(self, shard: Shard, records: list[Record]):
        self.shard = shard
        self.stack = [SubBatch(records, 0)]
        self.keys = {r.partition_key for r in records}
        self.throttle_k = 0
        self.ids = [r.iid for r in records]


class Shard:
    __slots__ = ("index", "id", "records", "first_unread", "jobs", "keys_in_flight", "window_close", "poll_at",
                 "count")

    def __init__(self, index: int):
        self.index = index
        self.id = f"shardId-{index:012d}"
        self.records: list[Record] = []
        self.first_unread = 0
        self.jobs = 0
        self.keys_in_flight: dict[str, int] = {}
        self.window_close: int | None = None
        self.poll_at: int | None = None
        self.count = 0


class StreamSource(Source):
    def __init__(self, engine: Engine):
        super().__init__(engine)
        t = self.t
        self.kind = t["type"]
        self.shards = [Shard(i) for i in range(t["Stream"]["ShardCount"])]
        self.batch_size = t["BatchSize"]
        self.window_ms = t["MaximumBatchingWindowInSeconds"] * MS
        self.pf = t["ParallelizationFactor"]
        self.bisect = t["BisectBatchOnFunctionError"]
        self.max_retries = t["MaximumRetryAttempts"]
        if "stream-skips-failed-batch" in engine.mis:
            self.max_retries = 0
        self.max_age_ms = t["MaximumRecordAgeInSeconds"] * MS if t["MaximumRecordAgeInSeconds"] != -1 else None
        self.retention_ms = t["Stream"]["RetentionPeriodHours"] * 3600 * MS
        self.rbif = "ReportBatchItemFailures" in t["FunctionResponseTypes"]
        self.on_failure = t["DestinationConfig"]["OnFailure"]["Destination"]
        self.mapping_at = round(t["mapping_at"] * MS)
        self.position = t["StartingPosition"]
        self.records: dict[str, Record] = {}

    def start(self) -> None:
        self.e.arrivals(self.s.inputs, self._arrive_all)
        if self.mapping_at:
            for shard in self.shards:
                self.e.at(self.mapping_at, P_START, self.poll, shard)

    # -- arrivals --------------------------------------------------------------------------------------------

    def shard_of(self, shard: int | None, partition_key: str) -> int:
        """The record's `shard` when given, else its partition key's MD5 hash range (stream.shard-order)."""
        if shard is not None:
            return shard
        digest = int(hashlib.md5(partition_key.encode()).hexdigest(), 16)
        return digest * len(self.shards) >> 128

    def arrive(self, item: dict) -> None:
        e = self.e
        shard = self.shards[self.shard_of(item.get("shard"), item["partition_key"])]
        rec = Record()
        rec.iid = rec.input_id = item["id"]
        rec.shard = shard
        rec.shard_id = shard.id
        shard.count += 1
        if self.kind == "kinesis":
            rec.sequence_number = str(49600000000000000000000000000000000000000000000000000000
                                      + shard.index * 10 ** 30 + shard.count * 10 ** 8)
        else:
            rec.sequence_number = str(10 ** 20 * (shard.index + 1) + shard.count * 100)
        rec.arrival_ms = e.now
        rec.partition_key = item["partition_key"]
        rec.data = item["data"] if isinstance(item["data"], str) else str(item["data"])
        rec.event = item.get("event")
        rec.item = item.get("item")
        rec.old_item = item.get("old_item")
        rec.state = "unread"
        self.records[rec.iid] = rec
        shard.records.append(rec)
        e.tl("arrive", "stream.shard-order", input=rec.iid, shard=shard.id)
        if not self._readable(rec):
            rec.state = "filtered"
            e.tl("filtered", "stream.starting-position", input=rec.iid, position=self.position)
            e.settle(rec.iid, "filtered")
            return
        self.request_poll(shard)

    def _readable(self, rec: Record) -> bool:
        if self.position == "LATEST":
            return rec.arrival_ms >= self.mapping_at
        if self.position == "AT_TIMESTAMP":
            return self.e.epoch_ms(rec.arrival_ms) >= self.t["StartingPositionTimestamp"] * 1000
        return True

    def request_poll(self, shard: Shard) -> None:
        now = self.e.now
        if now < self.mapping_at:
            return
        if shard.poll_at != now:
            shard.poll_at = now
            self.e.at(now, P_START, self.poll, shard)

    # -- forming batches -------------------------------------------------------------------------------------

    def _available(self, shard: Shard) -> list[Record]:
        """Records a new batch may take, in sequence order: with N > 1 only keys not already in flight."""
        out: list[Record] = []
        recs = shard.records
        while shard.first_unread < len(recs) and recs[shard.first_unread].state != "unread":
            shard.first_unread += 1
        if self.pf == 1 and shard.jobs:
            return out
        blocked: set[str] = set()
        for i in range(shard.first_unread, len(recs)):  # no slice: a long shard is not copied per batch
            rec = recs[i]
            if len(out) >= self.batch_size:
                break
            if rec.state != "unread":
                continue
            if rec.partition_key in shard.keys_in_flight or rec.partition_key in blocked:
                blocked.add(rec.partition_key)
                continue
            out.append(rec)
        return out

    def poll(self, shard: Shard) -> None:
        e = self.e
        shard.poll_at = None
        if e.now < self.mapping_at:
            return
        while shard.jobs < self.pf:
            avail = self._available(shard)
            if not avail:
                return
            if self.window_ms and len(avail) < self.batch_size:
                if shard.window_close is None:
                    shard.window_close = e.now + self.window_ms
                    e.tl("poll", "esm.batching", shard=shard.id, window_closes=shard.window_close / MS)
                    e.at(shard.window_close, P_START, self._window_closed, shard, shard.window_close)
                    return
                if e.now < shard.window_close:
                    return
            shard.window_close = None
            for rec in avail:
                rec.state = "inflight"
                shard.keys_in_flight[rec.partition_key] = shard.keys_in_flight.get(rec.partition_key, 0) + 1
            job = Job(shard, avail)
            shard.jobs += 1
            if e.lean:
                e.tl("batch")
            else:
                e.tl("batch", "stream.shard-order", shard=shard.id, inputs=list(job.ids))
            self.step(job)

    def _window_closed(self, shard: Shard, close_at: int) -> None:
        if shard.window_close == close_at:
            self.poll(shard)

    # -- resolving a batch -----------------------------------------------------------------------------------

    def step(self, job: Job) -> None:
        """Handle the sub-batch on top of the job's stack: age checks, then invoke (stream.record-age, esm.poller)."""
        e = self.e
        while job.stack:
            sub = job.stack[-1]
            expired = self._expired_prefix(sub)
            if expired:
                self.discard(job, expired, "RecordAgeExceeded", sub.retries, None, rule="stream.record-age")
                sub.records = sub.records[len(expired):]
                if not sub.records:
                    job.stack.pop()
                    continue
            break
        if not job.stack:
            self.finish(job)
            return
        sub = job.stack[-1]
        if not e.can_run():
            e.throttles += 1
            delay = throttle_delay_s(job.throttle_k)
            job.throttle_k += 1
            e.tl("throttle", "concurrency.throttling", shard=job.shard.id, inputs=[r.iid for r in sub.records],
                 retry_in=delay)
            e.at(e.now + delay * MS, P_START, self.step, job)
            return
        job.throttle_k = 0
        records = sub.records
        ids = [r.iid for r in records]
        event = rid = None
        if e.needs_events:
            event = self._event(records)
            rid = e.ids.uuid("request", job.shard.id, records[0].sequence_number, len(records), sub.retries,
                             e.n_started)
        e.start_run(ids, event, sub.retries + 1, rid, lambda inv: self.ended(job, sub, inv), shard=job.shard.id,
                    item_id=lambda iid: self.records[iid].sequence_number if iid in self.records else iid)

    def _event(self, records: list[Record]) -> dict:
        maker = payloads.kinesis_record if self.kind == "kinesis" else payloads.dynamodb_record
        return {"Records": [maker(self.e, r, self.t) for r in records]}

    def _expired_prefix(self, sub: SubBatch) -> list[Record]:
        now = self.e.now
        out = []
        for rec in sub.records:
            age = now - rec.arrival_ms
            if age >= self.retention_ms or (self.max_age_ms is not None and age > self.max_age_ms):
                out.append(rec)
            else:
                break
        return out

    def ended(self, job: Job, sub: SubBatch, inv) -> None:
        e = self.e
        records = sub.records
        if inv.status == "success":
            cut = self._partial(inv, records) if self.rbif else len(records)
            if cut is None:
                inv.status = "error"
                inv.error = {"errorType": "InvalidBatchItemFailuresResponse",
                             "errorMessage": "The batchItemFailures response is not valid; the whole batch failed"}
            else:
                done, rest = records[:cut], records[cut:]
                self._succeed(job, done)
                if rest and "partial-batch-ignored" in e.mis:
                    rest = records
                if not rest:
                    job.stack.pop()
                    self._continue(job)
                    return
                inv.status = "partial"
                e.tl("checkpoint", "stream.partial-batch", shard=job.shard.id,
                     before=rest[0].sequence_number, inputs=[r.iid for r in rest])
                if self.max_retries != -1 and sub.retries + 1 > self.max_retries:
                    job.stack.pop()
                    self.discard(job, rest, "RetryAttemptsExhausted", sub.retries + 1, inv)
                else:
                    job.stack[-1] = SubBatch(rest, sub.retries + 1, inv)  # stream.partial-batch
                    e.tl("retry_scheduled", "stream.partial-batch", shard=job.shard.id,
                         inputs=[r.iid for r in rest], attempt=sub.retries + 2)
                self._continue(job)
                return
        # A function error (or a response AWS treats as one).
        if self.bisect and len(records) > 1:
            half = len(records) // 2  # stream.bisect
            start = sub.retries + 1 if "split-uses-retries" in e.mis else 0
            job.stack.pop()
            left, right = SubBatch(records[:half], start, inv), SubBatch(records[half:], start, inv)
            job.stack.append(right)
            job.stack.append(left)
            e.tl("bisect", "stream.bisect", shard=job.shard.id, inputs=[r.iid for r in records],
                 left=[r.iid for r in left.records], right=[r.iid for r in right.records])
            if "split-uses-retries" in e.mis and self.max_retries != -1 and start > self.max_retries:
                job.stack.pop()
                job.stack.pop()
                self.discard(job, records, "RetryAttemptsExhausted", start, inv)
        elif self.max_retries == -1 or sub.retries < self.max_retries:
            job.stack[-1] = SubBatch(records, sub.retries + 1, inv)
            e.tl("retry_scheduled", "stream.whole-batch-retry", shard=job.shard.id, inputs=[r.iid for r in records],
                 attempt=sub.retries + 2)
        else:
            job.stack.pop()
            self.discard(job, records, "RetryAttemptsExhausted", sub.retries + 1, inv, rule="stream.retry-limit")
        self._continue(job)

    def _continue(self, job: Job) -> None:
        # esm.poller: the next try, or the next half, runs at once (after everything else ending at this instant).
        self.e.at(self.e.now, P_START, self.step, job)

    def _partial(self, inv, records: list[Record]) -> int | None:
        """stream.partial-batch: the index to checkpoint before (len for complete success), or None for an invalid response."""
        index = {r.sequence_number: i for i, r in enumerate(records)}
        failed = failed_item_ids(inv.response, index)
        if failed is None:
            return None
        return min((index[ident] for ident in failed), default=len(records))

    def _succeed(self, job: Job, records: list[Record]) -> None:
        e = self.e
        if not records:
            return
        for rec in records:
            rec.state = "done"
            e.settle(rec.iid, "succeeded")
        if e.lean:
            e.tl("checkpoint")
            return
        e.tl("checkpoint", "stream.shard-order", shard=job.shard.id, after=records[-1].sequence_number,
             inputs=[r.iid for r in records])

    def discard(self, job: Job, records: list[Record], condition: str, count: int, last, rule="stream.retry-limit"):
        e = self.e
        ids = [r.iid for r in records]
        for rec in records:
            rec.state = "done"
        e.tl("discard", rule, shard=job.shard.id, inputs=ids, reason=condition)
        if self.on_failure:
            rid = last.request_id if last is not None else e.ids.uuid("discard", job.shard.id,
                                                                      records[0].sequence_number)
            message = payloads.stream_failure_record(e, self.kind, self.t, records, rid, condition, count, last)
            e.deliver("on_failure", self.on_failure, ids, message, rule="stream.on-failure")
            for iid in ids:
                e.settle(iid, "dead_lettered")
        else:
            for iid in ids:
                e.settle(iid, "dropped")

    def finish(self, job: Job) -> None:
        shard = job.shard
        shard.jobs -= 1
        for iid in job.ids:
            key = self.records[iid].partition_key
            shard.keys_in_flight[key] -= 1
            if not shard.keys_in_flight[key]:
                del shard.keys_in_flight[key]
        self.request_poll(shard)
