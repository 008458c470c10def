"""`study sim --json` of a large SQS backlog, written by poll round instead of by message or by run: the fastest path
of the streamed trace (docs/emulator.md "Lean mode and scale").

Taken where every run is known before it starts: the bulk trace's conditions (study.sim.bulk_trace: a standard queue,
a `behavior` handler that returns nothing and whose runs all succeed within the visibility timeout, nothing that
throttles, no misconception), and on top of them no `until`, inputs that are all `count` inputs without message
attributes (in text UTF-8 can carry), and runs of at least 1 ms. The rounds then follow the engine's events in the
engine's order: the runs that end at an instant, the arrivals, then the scale step and the polls; a poll starts one
run per free poller, the first ones on the warm environments freed last. The trace's lists are in time order, then in
the order their records were made: every record is written at the instant it is made, but for a cold run's
invoke_start entry, START line and invocation record, which are at its start, INIT time later; those are written
when the clock reaches that start, before anything made then. When something comes up that this model leaves out (an
idle environment that expires, the max_invocations stop, the week's time cap) the round writer gives up, and the
trace is written by the bulk trace's engine path instead, from the start (`Unsupported`).

The text of a round (its runs' timeline entries, log lines and invocation records, with their ids and events) is
made by a renderer: study.sim._bulktext, the C one, where it is built, or `PyRender` below, the same text in
Python. Both take their templates from the trace's own encoder (study.sim.spool, study.sim.text_events), so the
layout is written once. tests/test_sim_group_trace.py compares the bytes with the general path's and the two
renderers with each other.
"""

from __future__ import annotations

import heapq
import io
import json
import os
import tempfile
from collections import deque
from hashlib import md5 as _md5
from hashlib import sha256 as _sha256
from typing import IO

from study.sim.bulk_trace import bulk_trace_ok
from study.sim.engine import P_ARRIVE, P_END, P_START, TIME_CAP_MS, Engine, report_tail
from study.sim.ids import UUID_VARIANT_DIGIT
from study.sim.scenario.input_sequence import ID, SHARED, CountRun
from study.sim.scenario.model import Scenario
from study.sim.scenario.profiles import PROFILES
from study.sim.spool import INVOCATION_NL, _bytes_of, _input_state, _value, encode
from study.sim.sqs import INITIAL_POLLERS, next_scale_at, pollers_at
from study.sim.text_events import EVENT_NL, RECORD_NL, SqsRecords, _slot, template

_string = json.encoder.encode_basestring
P_SCALE = P_START  # the scale step is a P_START event scheduled before the polls of its instant


class Unsupported(Exception):
    """The run reached something the round writer does not model: write the trace the engine's way."""


def _fields(seg: CountRun) -> tuple | None:
    """(body from the id?, the shared body) of a count input this writer takes, else None."""
    kinds = {key: (kind, value) for key, kind, value in seg.template}
    body = kinds.get("body", (SHARED, None))
    attributes = kinds.get("attributes", (SHARED, None))
    at = kinds.get("at_ms", (SHARED, None))
    if attributes != (SHARED, None) and not (attributes[0] == SHARED and not attributes[1]):
        return None
    if at[0] != SHARED or body[0] not in (ID, SHARED) or (body[0] == SHARED and type(body[1]) is not str):
        return None
    try:  # text that UTF-8 cannot carry (a lone surrogate) is left to the engine's path
        seg.prefix.encode()
        if body[0] == SHARED:
            body[1].encode()
    except UnicodeEncodeError:
        return None
    return body[0] == ID, body[1]


def group_trace_ok(s: Scenario) -> bool:
    if not bulk_trace_ok(s) or s.until_ms is not None:
        return False
    b = s.behavior
    if b.duration_ms + b.duration_per_record_ms < 1:
        return False  # a run that ends at the instant it starts: its end comes before the round's next poll
    segs = s.inputs._segs
    return bool(segs) and all(isinstance(seg, CountRun) and _fields(seg) is not None for seg in segs)


def seconds_text(ms: int) -> str:
    """`repr(ms / 1000)` for a whole number of ms (below 10**15): the trace's times."""
    return repr(ms / 1000)


# -- the text ---------------------------------------------------------------------------------------------------

class Templates:
    """The pieces of every element this writer makes, cut from the encoder's own text at markers."""

    def __init__(self, engine: Engine, trigger: dict) -> None:
        s = _slot
        nl = INVOCATION_NL
        self.arrive = template({"t": s(1), "kind": "arrive", "input": s(2), "rule": "sqs.batching"}, nl)
        self.batch = template({"t": s(1), "kind": "batch", "inputs": s(2), "rule": "sqs.batching"}, nl)
        self.env = [template({"t": s(1), "kind": kind, "instance": s(2), "request_id": s(3), "rule": rule}, nl)
                    for kind, rule in (("env_reuse", "env.warm-reuse"), ("env_create", "env.cold-start"))]
        self.start = template({"t": s(1), "kind": "invoke_start", "n": s(2), "inputs": s(3), "instance": s(4),
                               "attempt": 1, "cold_start": s(5)}, nl)
        self.end = template({"t": s(1), "kind": "invoke_end", "n": s(2), "status": "success", "inputs": s(3)}, nl)
        self.delete = template({"t": s(1), "kind": "delete", "inputs": s(2), "rule": "sqs.batching"}, nl)
        group = f"/aws/lambda/{engine.s.function['FunctionName']}"
        self.log = template({"t": s(1), "group": group, "stream": s(2), "message": s(3)}, nl)
        self.invocation = template({"n": s(1), "request_id": s(2), "start": s(3), "end": s(4), "inputs": s(5),
                                    "attempt": 1, "instance": s(6), "cold_start": s(7), "status": "success",
                                    "error": None, "response": None, "event": s(8), "billed_ms": s(9)}, nl)
        self.record = SqsRecords(engine, trigger)._record
        # The marker of a list or an event sits where its text goes: the list's items are one level deeper.
        self.list_nl = nl + "  "
        self.event_head = "{" + EVENT_NL + "  " + '"Records": [' + RECORD_NL
        self.event_sep = "," + RECORD_NL
        self.event_tail = EVENT_NL + "  " + "]" + EVENT_NL + "}"
        # (template() cuts the markers with their quotes: a field brings its own, or none for a number.)


class Segment:
    """A count input as the renderers read it: its id prefix raw (for the ids' digests) and as JSON text (without
    the quotes), and its body: the id, or one shared text (JSON, with its MD5)."""

    __slots__ = ("prefix", "prefix_json", "body_is_id", "body_json", "body_md5", "sent")

    def __init__(self, seg: CountRun, epoch_ms: int) -> None:
        body_is_id, body = _fields(seg)
        self.prefix = seg.prefix
        self.prefix_json = _string(seg.prefix)[1:-1]
        self.body_is_id = body_is_id
        self.body_json = "" if body_is_id else _string(body)
        self.body_md5 = "" if body_is_id else _md5(body.encode()).hexdigest()
        self.sent = str(epoch_ms + seg.at_ms)


S_INVOCATIONS, S_INPUTS, S_LOGS, S_TIMELINE = range(4)  # the sections a renderer writes (as in _bulktext.c)
# What `starts` writes of its runs: everything; the batch and environment entries only (cold runs after INIT);
# the rest only (their invoke_start entries, START lines and invocation records, at their start).
EVERYTHING, BATCH_ONLY, STARTED_ONLY = range(3)
FLUSH_AT = 1 << 20


class PyRender:
    """The renderer in Python: the same bytes as study.sim._bulktext's `Render`, slower (where the C one is not
    built). Each section goes to a file descriptor (`open`), a megabyte at a time."""

    def __init__(self, tpl: Templates, segments: list[Segment], seed: int) -> None:
        self.t = tpl
        self.segs = segments
        self.seed = f"{seed}|"
        self.sinks: list[list | None] = [None] * 4  # [fd, parts, size, any, first, sep]

    def open(self, sink: int, fd: int, first: str, sep: str) -> None:
        """Where a section's text goes from now on (fd -1: nowhere, and it is not made)."""
        self._send(sink)
        self.sinks[sink] = [fd, [], 0, False, first.encode(), sep.encode()] if fd >= 0 else None

    def add(self, sink: int, text: str) -> None:
        self._put(sink, [text])

    def _put(self, sink: int, texts, sep: str = ",\n") -> None:
        """Elements joined by `sep`, after the section's opening or its separator."""
        s = self.sinks[sink]
        if s is None or not texts:
            return
        data = (s[5] if s[3] else s[4]) + sep.join(texts).encode()
        s[3] = True
        s[1].append(data)
        s[2] += len(data)
        if s[2] >= FLUSH_AT:
            self._send(sink)

    def _send(self, sink: int) -> None:
        s = self.sinks[sink]
        if s is not None and s[1]:
            write_all(s[0], b"".join(s[1]))
            s[1], s[2] = [], 0

    def flush(self) -> None:
        for sink in range(4):
            self._send(sink)

    def close(self) -> None:
        """Nothing is queued here (each write is made when its sink has enough): the sinks are closed."""
        self.sinks = [None] * 4

    # ids of pieces [(segment, lo, hi)]: ids prefix{lo+1} .. prefix{hi}
    def _ids(self, pieces) -> list[tuple[Segment, str]]:
        segs = self.segs
        out = []
        for k, lo, hi in pieces:
            seg = segs[k]
            out.extend((seg, str(i)) for i in range(lo + 1, hi + 1))
        return out

    def _list(self, ids) -> str:
        inner = self.t.list_nl + "  "
        return "[" + inner + ("," + inner).join('"' + seg.prefix_json + num + '"' for seg, num in ids) + \
            self.t.list_nl + "]"

    def each(self, sink: int, head: str, tail: str, sep: str, pieces) -> None:
        """For each message of `pieces`: head + its id as JSON + tail, joined by sep (a backlog's arrive entries,
        the inputs' states)."""
        if self.sinks[sink] is not None:
            self._put(sink, [head + '"' + seg.prefix_json + num + '"' + tail for seg, num in self._ids(pieces)], sep)

    def _runs(self, pieces, k: int, size: int, last: int):
        ids = self._ids(pieces)
        pos = 0
        for j in range(k):
            n = last if j == k - 1 else size
            yield ids[pos:pos + n]
            pos += n

    def _rid(self, ids) -> str:
        text = self.seed + "request|" + "|".join(seg.prefix + num for seg, num in ids) + "|1"
        return _uuid(_sha256(text.encode()).hexdigest())

    def starts(self, t: str, epoch: str, n0: int, k: int, size: int, last: int, instances: list[int], warm: int,
               streams: list[str], start_msg: tuple[str, str], end: str, billed: tuple[str, str], pieces,
               mode: int = EVERYTHING, rec_n0: int | None = None) -> None:
        """Timeline, log and invocation text of k runs started at `t`: n0, n0+1 ... (their invocation records
        rec_n0, rec_n0+1 ...); the first `warm` warm. `mode`: all of it, the batch and environment entries only,
        or the rest only."""
        rec_n0 = n0 if rec_n0 is None else rec_n0
        if self.sinks[S_INVOCATIONS] is None and self.sinks[S_LOGS] is None and self.sinks[S_TIMELINE] is None:
            return
        tp = self.t
        tl, logs, invs = [], [], []
        b0, b1, b2 = tp.batch
        s0, s1, s2, s3, s4, s5 = tp.start
        l0, l1, l2, l3 = tp.log
        i_ = tp.invocation
        seed = self.seed.encode()
        r = tp.record
        for j, ids in enumerate(self._runs(pieces, k, size, last)):
            cold = j >= warm
            inst = str(instances[j])
            n = str(n0 + j)
            rid = self._rid(ids)
            lst = self._list(ids)
            e0, e1, e2, e3 = tp.env[cold]
            flag = "true" if cold else "false"
            if mode != STARTED_ONLY:
                tl.append("    " + b0 + t + b1 + lst + b2)
                tl.append("    " + e0 + t + e1 + inst + e2 + '"' + rid + '"' + e3)
            if mode == BATCH_ONLY:
                continue
            tl.append("    " + s0 + t + s1 + n + s2 + lst + s3 + inst + s4 + flag + s5)
            logs.append("    " + l0 + t + l1 + streams[instances[j]] + l2 + start_msg[0] + rid + start_msg[1] + l3)
            if self.sinks[S_INVOCATIONS] is None:
                continue
            records = []
            for seg, num in ids:
                iid = (seg.prefix + num).encode()
                x = _sha256(seed + b"message|" + iid).hexdigest()
                h = _sha256(seed + b"receipt|" + iid + b"|1").hexdigest()
                if seg.body_is_id:
                    body, md = '"' + seg.prefix_json + num + '"', _md5(iid).hexdigest()
                else:
                    body, md = seg.body_json, seg.body_md5
                records.append(r[0] + '"' + _uuid(x) + '"' + r[1] + '"AQEB' + h[:48] + '"' + r[2] + body + r[3] +
                               '"1"' + r[4] + '"' + seg.sent + '"' + r[5] + '"' + epoch + '"' + r[6] + '"' + md + '"'
                               + r[7])
            event = tp.event_head + tp.event_sep.join(records) + tp.event_tail
            bill = billed[1] if j == k - 1 else billed[0]
            invs.append("    " + i_[0] + str(rec_n0 + j) + i_[1] + '"' + rid + '"' + i_[2] + t + i_[3] + end + i_[4]
                        + lst + i_[5] + inst + i_[6] + flag + i_[7] + event + i_[8] + bill + i_[9])
        self._put(S_TIMELINE, tl)
        self._put(S_LOGS, logs)
        self._put(S_INVOCATIONS, invs)

    def ends(self, t: str, n0: int, k: int, size: int, last: int, instances: list[int], warm: int,
             streams: list[str], end_msg: tuple[str, str, str], reports: tuple[str, ...], pieces) -> None:
        """Timeline and log text of k runs that end at `t` (reports: the REPORT line's tail for a full warm, full
        cold, last warm and last cold run)."""
        tp = self.t
        tl, logs = [], []
        x0, x1, x2, x3 = tp.end
        d0, d1, d2 = tp.delete
        l0, l1, l2, l3 = tp.log
        for j, ids in enumerate(self._runs(pieces, k, size, last)):
            cold = j >= warm
            rid = self._rid(ids)
            lst = self._list(ids)
            head = "    " + l0 + t + l1 + streams[instances[j]] + l2
            logs.append(head + end_msg[0] + rid + end_msg[1] + l3)
            logs.append(head + end_msg[2] + rid + reports[(2 if j == k - 1 else 0) + cold] + l3)
            tl.append("    " + x0 + t + x1 + str(n0 + j) + x2 + lst + x3)
            tl.append("    " + d0 + t + d1 + lst + d2)
        self._put(S_TIMELINE, tl)
        self._put(S_LOGS, logs)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _uuid(x: str) -> str:
    return f"{x[:8]}-{x[8:12]}-4{x[13:16]}-{UUID_VARIANT_DIGIT[x[16]]}{x[17:20]}-{x[20:32]}"


def renderer(tpl: Templates, segments: list[Segment], seed: int, native: bool | None = None):
    """The C renderer where it is built and `native` is not False (STUDY_NATIVE=0 turns it off), else PyRender."""
    if native is None:
        native = os.environ.get("STUDY_NATIVE", "1") != "0"
    if native:
        from study.sim import native as _native

        made = _native.renderer(tpl, segments, seed)
        if made is not None:
            return made
    return PyRender(tpl, segments, seed)


# -- the rounds -------------------------------------------------------------------------------------------------

class _Runs:
    """Runs started together that end together: k runs n0.., their messages [lo, hi) in send order."""

    __slots__ = ("n0", "k", "size", "last", "instances", "warm", "lo", "hi", "start", "billed", "end_text")


class GroupTrace:
    """Plays a scenario that `group_trace_ok` takes and writes its trace to `fp` (the same text as the engine's)."""

    def __init__(self, scenario: Scenario, native: bool | None = None) -> None:
        s = self.s = scenario
        self.e = Engine(scenario, track_inputs=False)  # for the trace's head and summary, and the clock's rules
        t = s.trigger
        self.batch_size = t["BatchSize"]
        self.vt_ms = t["effective_visibility_timeout"] * 1000
        self.max_concurrency = t["ScalingConfig"]["MaximumConcurrency"]
        self.rate, self.cap = PROFILES[s.profile].sqs_scaling
        b = s.behavior
        self.duration_ms, self.per_record_ms = b.duration_ms, b.duration_per_record_ms
        self.epoch0 = self.e.epoch_ms(0)
        self.segs = list(s.inputs._segs)
        self.seg_index = {id(seg): i for i, seg in enumerate(self.segs)}
        self.tpl = Templates(self.e, t)
        self.render = renderer(self.tpl, [Segment(seg, self.epoch0) for seg in self.segs], s.seed, native)
        self.memory = self.e.memory
        self.init_ms = self.e.init_ms
        self.init_billed = PROFILES[s.profile].init_billed  # pricing.init-billing

    def pieces(self, lo: int, hi: int) -> list[tuple[int, int, int]]:
        index = self.seg_index
        return [(index[id(seg)], a, b) for seg, a, b in self.s.inputs.segments(lo, hi)]

    def write(self, fp: IO[str]) -> None:
        """Play the rounds once without text (raising Unsupported before anything is written where this writer
        gives up), then once per list of the trace that follows the runs (invocations, log lines, timeline),
        writing it straight to the output: the rounds cost little next to their text, and nothing is kept or
        copied. The inputs' states are written from what the first play recorded."""
        self._play(())
        if not self.n:
            raise Unsupported("no run")  # pragma: no cover - a count input has at least one message
        try:
            self._write(fp)
        finally:  # after an error nothing more reaches the output, whose descriptor the caller may close
            self.render.close()

    def _write(self, fp: IO[str]) -> None:
        self._open(fp)
        r, out = self.render, self.out_fd
        write_all(out, (self._head() + '\n  "invocations": [').encode())
        self._section(S_INVOCATIONS, "\n", ",\n")
        write_all(out, b'\n  ],\n  "deliveries": [],\n  "inputs": ')
        r.open(S_INPUTS, out, "{\n    ", ",\n    ")
        self._inputs()
        r.open(S_INPUTS, -1, "", "")
        r.flush()
        write_all(out, b'\n  },\n  "http": [],\n  "logs": [')
        self._section(S_LOGS, "\n", ",\n")
        write_all(out, b'\n  ],\n  "timeline": [')
        self._section(S_TIMELINE, "\n", ",\n")
        self.e.last_ms = self.last_ms
        summary = _value(self.e.summary(self.n, 0, self.billed, self.last_end))
        write_all(out, ('\n  ],\n  "summary": ' + summary + "\n}").encode())
        self._close()

    def _section(self, sink: int, first: str, sep: str) -> None:
        self.render.open(sink, self.out_fd, first, sep)
        self._play((sink,))
        self.render.open(sink, -1, "", "")
        self.render.flush()

    def _play(self, sections: tuple[int, ...]) -> None:
        s = self.s
        heap: list[tuple] = []
        seq = 0

        def at(t_ms: int, prio: int, *what) -> None:
            nonlocal seq
            heapq.heappush(heap, (t_ms, prio, seq, *what))
            seq += 1

        self.at = at
        for at_ms, first, end in s.inputs.instants():
            at(at_ms, P_ARRIVE, "arrive", first, end)
        self.text = bool(sections)
        self.streams = [""]
        self.visible = self.inflight = self.running = self.n = 0
        self.e.max_running = 0
        self.t0: int | None = None
        self.poll_pending_at: int | None = None
        self.scale_at: int | None = None
        self.pollers_seen = INITIAL_POLLERS
        self.idle: list[tuple[int, int]] = []  # (instance, idle since), oldest first: the last is reused first
        self.n_envs = 0
        self.cursor = 0  # the next message to receive, in send order
        self.billed = 0
        self.last_end = 0
        self.last_ms = 0
        self.done: list[tuple[int, int]] = []  # (messages, when they end), in send order
        later = self.later = deque()  # cold runs whose start (after INIT) is still to be written, by start
        self.out_n = 0  # invocation records written (their `n`, in start order)
        while heap:
            t_ms, _, _, kind, *args = heapq.heappop(heap)
            if t_ms > TIME_CAP_MS:
                raise Unsupported("the week's time cap")
            while later and later[0].start <= t_ms:
                self._started_later(later.popleft())
            self.now = t_ms
            getattr(self, "_" + kind)(*args)
        while later:
            self._started_later(later.popleft())
        if self.cursor != len(s.inputs):
            raise Unsupported("inputs left in the queue")  # pragma: no cover - every message is received

    # -- events (as study.sim.bulk_trace's source and the engine handle them) --

    def _tl_time(self) -> None:
        if self.now > self.last_ms:
            self.last_ms = self.now

    def _arrive(self, first: int, end: int) -> None:
        self.visible += end - first
        if self.t0 is None:
            self.t0 = self.now
        if self.text:
            p0, p1, p2 = self.tpl.arrive
            self.render.each(S_TIMELINE, "    " + p0 + seconds_text(self.now) + p1, p2, ",\n", self.pieces(first, end))
        self._tl_time()
        self._request_poll()

    def _request_poll(self) -> None:
        if self.poll_pending_at != self.now:
            self.poll_pending_at = self.now
            self.at(self.now, P_START, "poll")

    def pollers(self) -> int:
        return pollers_at(self.now, self.t0, self.rate, self.cap, self.max_concurrency)

    def _scale(self) -> None:
        n = self.pollers()
        if n != self.pollers_seen:
            self.pollers_seen = n
            self._seq_scale(n)
        self._poll()

    def _seq_scale(self, n: int) -> None:
        if self.text:
            self.render.add(S_TIMELINE, "    " + encode({"t": self.now / 1000, "kind": "scale", "pollers": n,
                                                         "rule": "sqs.scaling"}, INVOCATION_NL))
        self._tl_time()

    def _poll(self) -> None:
        self.poll_pending_at = None
        free = self.pollers() - self.inflight
        bs = self.batch_size
        if free > 0 and self.visible:
            k = min(free, -(-self.visible // bs))
            taken = min(k * bs, self.visible)
            last = taken - (k - 1) * bs
            self._start(k, last)
            free -= k
        if self.visible and free <= 0 and self.pollers() < min(self.cap, self.max_concurrency or self.cap) \
                and self.t0 is not None:
            nxt = next_scale_at(self.now, self.t0)
            if self.scale_at != nxt:
                self.scale_at = nxt
                self.at(nxt, P_SCALE, "scale")

    def _start(self, k: int, last: int) -> None:
        now, bs = self.now, self.batch_size
        if self.n + k > self.s.max_invocations:
            raise Unsupported("the max_invocations stop")
        if now + self.vt_ms > TIME_CAP_MS:
            raise Unsupported("the week's time cap")
        idle = self.idle
        if idle and now - idle[0][1] >= self.e.idle_ms:
            raise Unsupported("an idle environment expires")
        warm = min(k, len(idle))
        instances = [inst for inst, _ in reversed(idle[len(idle) - warm:])]
        del idle[len(idle) - warm:]
        for _ in range(k - warm):
            self.n_envs += 1
            if self.text:
                self._new_stream(self.n_envs)
            instances.append(self.n_envs)
        lo = self.cursor
        hi = lo + (k - 1) * bs + last
        self.cursor = hi
        self.visible -= hi - lo
        self.inflight += k
        self.running += k
        if self.running > self.e.max_running:
            self.e.max_running = self.running
        n0 = self.n + 1
        self.n += k
        # Runs that start together and are the same size end together: the warm ones start now, the cold ones after
        # INIT, and a partial last batch ends apart when records add to the duration. In run order (the order the
        # engine schedules their ends in).
        d_full = self.duration_ms + self.per_record_ms * bs
        d_last = self.duration_ms + self.per_record_ms * last
        cuts = {0, warm}
        if d_full != d_last:
            cuts.add(k - 1)
        starts = sorted(c for c in cuts if c < k)
        bounds = list(zip(starts, [*starts[1:], k], strict=True))
        t = seconds_text(now)
        epoch = str(self.epoch0 + now)
        for a, b in bounds:
            g = _Runs()
            cold = a >= warm
            g.n0, g.k, g.size, g.last = n0 + a, b - a, bs, last if b == k else bs
            g.instances = instances[a:b]
            g.warm = 0 if cold else g.k
            g.lo = lo + a * bs
            g.hi = g.lo + (g.k - 1) * bs + g.last
            g.start = now + (self.init_ms if cold else 0)
            d_end = d_last if b == k else d_full
            billed_full, billed_end = self._billed(d_full, cold), self._billed(d_end, cold)
            self.billed += (g.k - 1) * billed_full + billed_end
            billed = g.billed = (str(billed_full), str(billed_end))
            g.end_text = seconds_text(g.start + d_end)
            if self.text:
                # A cold run's invoke_start and START line are at its start, after INIT: they are written then,
                # before what is made at that instant (the timeline's order is time, then the order made).
                deferred = cold and self.init_ms > 0
                mode = BATCH_ONLY if deferred else EVERYTHING
                self.render.starts(t, epoch, g.n0, g.k, g.size, g.last, g.instances, g.warm, self.streams,
                                   _START_MSG, g.end_text, billed, self.pieces(g.lo, g.hi), mode, self.out_n + 1)
                if deferred:
                    self.later.append(g)
                else:
                    self.out_n += g.k
            if g.start > self.last_ms:
                self.last_ms = g.start
            self.at(g.start + d_end, P_END, "end", g)
            self.done.append((g.hi - g.lo, g.start + d_end))  # in send order
        self._tl_time()

    def _started_later(self, g: _Runs) -> None:
        """Cold runs' invoke_start entries, START lines and invocation records, at their start after INIT."""
        self.render.starts(seconds_text(g.start), str(self.epoch0 + g.start - self.init_ms), g.n0, g.k, g.size,
                           g.last, g.instances, 0, self.streams, _START_MSG, g.end_text, g.billed,
                           self.pieces(g.lo, g.hi), STARTED_ONLY, self.out_n + 1)
        self.out_n += g.k

    def _new_stream(self, number: int) -> None:
        e = self.e
        import datetime as dt

        day = (self.s.start_time + dt.timedelta(milliseconds=self.now)).strftime("%Y/%m/%d")
        self.streams.append(_string(f"{day}/[$LATEST]{e.ids.hex(32, 'env', number)}"))

    def _end(self, g: _Runs) -> None:
        now = self.now
        self.running -= g.k
        self.idle.extend((inst, now) for inst in g.instances)
        d = now - g.start
        if self.text:
            reports = tuple(self._report(size, cold, d) for size in (g.size, g.last) for cold in (False, True))
            self.render.ends(seconds_text(now), g.n0, g.k, g.size, g.last, g.instances, g.warm, self.streams,
                             _END_MSG, reports, self.pieces(g.lo, g.hi))
        self.inflight -= g.k
        if now > self.last_end:
            self.last_end = now
        self._tl_time()
        self._request_poll()

    def _report(self, size: int, cold: bool, d: int) -> str:
        """The REPORT line's JSON text after its request id, with the closing quote."""
        text = report_tail(d, self._billed(d, cold), self.memory, size, self.init_ms if cold else None)
        return _string(text)[1:]

    def _billed(self, d: int, cold: bool) -> int:
        """A run's billed ms: its duration, plus INIT on a cold start where the profile bills it."""
        return max(1, d + (self.init_ms if cold and self.init_billed else 0))  # pricing.init-billing

    # -- the whole text --

    def _head(self) -> str:
        head = self.e.trace_head()
        return "{" + "".join(f"\n  {_string(key)}: {_value(value)}," for key, value in head.items())

    def _open(self, fp: IO[str]) -> None:
        """The output's file descriptor, or a temporary file's where `fp` has none (copied to it at the end)."""
        self.fp = fp
        self.out_fd = _fd_of(fp)
        self.tmp_out = None
        if self.out_fd is None:
            self.tmp_out = tempfile.TemporaryFile("w+b", buffering=0)
            self.out_fd = self.tmp_out.fileno()
        else:
            fp.flush()

    def _close(self) -> None:
        if self.tmp_out is not None:
            self.tmp_out.seek(0)
            with io.TextIOWrapper(self.tmp_out, encoding="utf-8", newline="") as reader:
                while chunk := reader.read(1 << 20):
                    self.fp.write(chunk)

    def _inputs(self) -> None:
        """`"id": {state}` of every input, in send order: a stretch of them ended together has one state's text."""
        from study.sim.records import InputState

        cache: dict = {}
        st = InputState()
        st.final, st.attempts, st.receive_count = "succeeded", 1, 1
        pos = 0
        chunk = 1 << 16
        for count, end in self.done:
            st.at = end
            state = _input_state(st, cache)
            for lo in range(pos, pos + count, chunk):
                self.render.each(S_INPUTS, "", ": " + state, ",\n    ", self.pieces(lo, min(pos + count, lo + chunk)))
            pos += count


def _fd_of(fp: IO[str]) -> int | None:
    """The file descriptor under `fp` where UTF-8 bytes written to it reach the file unchanged, else None."""
    raw = _bytes_of(fp)
    if raw is None:
        return None
    try:
        return raw.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


_START_MSG = ('"START RequestId: ', ' Version: $LATEST"')
_END_MSG = ('"END RequestId: ', '"', '"REPORT RequestId: ')


def write_trace(scenario: Scenario, fp: IO[str], native: bool | None = None) -> bool:
    """Write the trace of a scenario `group_trace_ok` takes; False (nothing written) where this writer gives up."""
    try:
        GroupTrace(scenario, native).write(fp)
    except Unsupported:
        return False
    return True
