"""A backlog whose messages cannot differ, for the streamed trace (`study sim --json`): the SQS source with its
messages as ranges of inputs instead of an object each (docs/emulator.md "Lean mode and scale").

Taken where the bulk lean path is (study.sim.lean_bulk.sqs_bulk_ok: a standard queue, a `behavior` handler whose runs
all succeed within the visibility timeout, nothing that throttles, no misconception) and the handler returns
nothing. Every message is then received once, in send order, and deleted when its run ends, so the queue is a
list of ranges of the inputs (in send order) and a batch is the next `BatchSize` of them. The engine still starts
and ends every run (environments, logs, timeline, invocation records), with the same calls in the same order as
study.sim.sqs makes them; what this source saves is per message: no `Message`, one timeline element per arrival
written from a template when it is spooled, the event's records rendered as text (study.sim.text_events).
tests/test_sim_text_events.py compares its traces with the per-message source's, byte for byte.
"""

from __future__ import annotations

import json
from collections import deque
from itertools import repeat

from study.sim.engine import ARRIVAL_CHUNK, P_ARRIVE, P_VISIBLE, Engine
from study.sim.lean_bulk import sqs_bulk_ok
from study.sim.scenario.defaults import MS
from study.sim.scenario.input_sequence import ID, SHARED, CountRun, Inputs
from study.sim.scenario.model import Scenario
from study.sim.spool import INVOCATION_NL, Elements
from study.sim.sqs import Message, SqsSource
from study.sim.text_events import SqsRecords, records_text, template

_string = json.encoder.encode_basestring


def bulk_trace_ok(s: Scenario) -> bool:
    return s.trigger["type"] == "sqs" and not s.behavior.has_returns and sqs_bulk_ok(s)


def _ids(inputs: Inputs, lo: int, hi: int) -> list[str]:
    out: list[str] = []
    for seg, a, b in inputs.segments(lo, hi):
        out.extend(item["id"] for item in seg[a:b]) if isinstance(seg, list) else out.extend(seg.ids(a, b))
    return out


_FIELDS = ("body", "attributes", "at_ms")


def _made(seg: CountRun, cache: dict) -> list[tuple]:
    """How a count input makes each of _FIELDS: (kind, value), kept in `cache` by the input's index."""
    made = cache.get(seg.index)
    if made is None:
        kinds = {key: (kind, value) for key, kind, value in seg.template}
        made = cache[seg.index] = [kinds.get(key, (SHARED, None)) for key in _FIELDS]
    return made


def _rows(inputs: Inputs, lo: int, hi: int, cache: dict) -> list[tuple]:
    """(id, body, attributes, at_ms) of inputs lo..hi-1; a `count` input's without making its dicts."""
    out: list[tuple] = []
    for seg, a, b in inputs.segments(lo, hi):
        made = _made(seg, cache) if isinstance(seg, CountRun) else None
        if made is None or made[0][0] not in (ID, SHARED) or made[1][0] != SHARED or made[2][0] != SHARED:
            out.extend((x["id"], x["body"], x.get("attributes"), x["at_ms"]) for x in seg[a:b])
            continue
        ids = list(seg.ids(a, b))
        bodies = ids if made[0][0] == ID else repeat(made[0][1])
        out.extend(zip(ids, bodies, repeat(made[1][1]), repeat(made[2][1])))
    return out


def _noop() -> None:
    """A batch's visibility timeout: its messages are deleted by then (their runs end within it)."""


class BulkTraceSqsSource(SqsSource):
    def __init__(self, engine: Engine):
        super().__init__(engine)
        self.inputs = self.s.inputs
        self.records = SqsRecords(engine, self.t)
        self._made: dict[int, list[tuple]] = {}  # _made's, by count input
        self.ranges: deque[tuple[int, int]] = deque()  # [first, end) of the visible inputs, in send order
        self.rows: list[tuple] = []  # the range being received from, as `_rows`
        self.taken = 0  # how many of them were received
        self._arrive = template({"t": "\x00slot1\x00", "kind": "arrive", "input": "\x00slot2\x00",
                                 "rule": "sqs.batching"}, INVOCATION_NL)

    def start(self) -> None:
        e = self.e
        for at_ms, first, end in self.inputs.instants():
            for lo in range(first, end, ARRIVAL_CHUNK):  # as Engine.arrivals schedules them
                e.at(at_ms, P_ARRIVE, self._arrive_range, lo, min(end, lo + ARRIVAL_CHUNK))

    def _arrive_range(self, lo: int, hi: int) -> None:
        e = self.e
        states, inputs = e.inputs, self.inputs
        for iid in _ids(inputs, lo, hi):
            states[iid].receive_count = 0
        self.n_sent += hi - lo
        self.n_visible += hi - lo
        if self.t0 is None:
            self.t0 = e.now
        self.ranges.append((lo, hi))
        # The arrivals' timeline entries, in one element of the engine's timeline (nothing comes between them),
        # written when spooled (only the range is kept till then).
        e._seq += 1
        p0, p1, p2 = self._arrive
        head, tail = "    " + p0 + repr(e.now / MS) + p1, p2
        e.timeline.append((e.now, e._seq, Elements(hi - lo, lambda: ",\n".join([
            head + _string(i) + tail for i in _ids(inputs, lo, hi)]))))
        if e.now > e.last_ms:
            e.last_ms = e.now
        self.request_poll()

    def poll(self) -> None:
        self.poll_pending_at = None
        while self._free() > 0:
            batch = self._take(self.batch_size)
            if not batch:
                break
            self._invoke_range(batch)
        if self.n_visible and self._free() <= 0 and self.pollers() < min(
                self.cap, self.max_concurrency or self.cap) and self.t0 is not None:
            self._schedule_scale()

    def _take(self, limit: int) -> list[tuple]:
        """The next `limit` visible messages (as `_rows`), received now (sqs.batching): read an arrival's range at
        a time into `rows`, handed out from `taken` on."""
        ranges = self.ranges
        rows: list[tuple] = []
        while len(rows) < limit:
            if self.taken >= len(self.rows):
                if not ranges:
                    break
                lo, hi = ranges.popleft()
                self.rows, self.taken = _rows(self.inputs, lo, hi, self._made), 0
            k = min(limit - len(rows), len(self.rows) - self.taken)
            rows.extend(self.rows[self.taken:self.taken + k])
            self.taken += k
        if rows:
            e = self.e
            self.n_visible -= len(rows)
            states = e.inputs
            for row in rows:
                states[row[0]].receive_count = 1
            e.at(e.now + self.vt_ms, P_VISIBLE, _noop)
        return rows

    def _invoke_range(self, rows: list[tuple]) -> None:
        e = self.e
        ids = [row[0] for row in rows]
        e.tl("batch", "sqs.batching", inputs=ids)
        event = self._render(rows)
        rid = e.ids.uuid("request", "|".join(ids), 1)
        self.inflight_batches += 1
        e.start_run(list(ids), event, 1, rid, lambda inv: self._ended_range(ids))

    def _render(self, rows: list[tuple]):
        e = self.e
        records, now = self.records, e.now
        if not any(row[2] for row in rows):
            return records_text(records.first_receives(rows, now))
        out = []
        for row in rows:
            iid, body, attributes, at_ms = row
            if attributes:
                m = Message(iid, 0, e.ids)
                m.body, m.attributes, m.receive_count = body, attributes, 1
                m.sent_ms, m.first_receive_ms = at_ms, now
                out.append(records.general(m, self.t))
            else:
                out.extend(records.first_receives([row], now))
        return records_text(out)

    def _ended_range(self, ids: list[str]) -> None:
        e = self.e
        self.inflight_batches -= 1
        states, now = e.inputs, e.now
        for iid in ids:  # Engine.settle, inlined: none was settled before
            st = states[iid]
            st.final, st.at = "succeeded", now
        e.settled += len(ids)
        e.tl("delete", "sqs.batching", inputs=list(ids))
        self.request_poll()
