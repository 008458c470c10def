"""`study sim --json` as the run goes: finished records leave memory for temporary files, in trace order, and the
trace is assembled from them at the end. The text is the same, byte for byte, as `dumps(trace)` of the whole trace.

What may leave memory at simulated time `now` (no later record can sort before it):
- timeline entries and log lines earlier than a watermark: `now`, or earlier when an idle environment's expiry
  (written when the environment is next looked for, at the time it expired) is due before `now`;
- deliveries earlier than `now` (they are written at the time they happen);
- invocations, in start order, that started and ended before `now` (their status is final once their end is handled;
  every later invocation starts at `now` or after).
The inputs' final states are live state (they change until the end) and are written last from memory.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from itertools import islice
from operator import itemgetter
from typing import IO, Any

from study.sim.scenario.defaults import MS

_string = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses for strings


_time_seq = itemgetter(0, 1)  # timeline, log and delivery entries are (t_ms, sequence, record)


INVOCATION_NL = "\n    "  # an element of the trace's lists (an invocation, a timeline entry ...) sits here


class JsonText:
    """A value already written as JSON text, indented for `newline` (study.sim.text_events renders events so)."""

    __slots__ = ("text", "newline")

    def __init__(self, text: str, newline: str) -> None:
        self.text = text
        self.newline = newline


class Elements:
    """Several elements of a trace list made at one instant (a backlog's arrivals), written as text only when they
    are spooled: `render()` gives them joined by ",\n" as `_element` writes each (study.sim.bulk_trace)."""

    __slots__ = ("count", "render")

    def __init__(self, count: int, render) -> None:
        self.count = count
        self.render = render


def encode(value: Any, newline: str = "\n") -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)` with every newline followed by `newline[1:]` as well (the
    indent of where the value sits), built by plain recursion with the common leaves (text, whole numbers, null)
    written in place: several times faster than the json module's pure-Python indenting encoder, with the same
    text (tests/test_sim_spool.py checks it against json.dumps)."""
    t = type(value)
    if t is str:
        return _string(value)
    if t is dict:
        if not value:
            return "{}"
        form = _FORMS.get((newline, tuple(value)))
        if form is None:
            form = _form(value, newline)
            if form is None:
                return _dict(value, newline)
        inner = newline + "  "
        texts = []
        for v in value.values():
            tv = type(v)
            if tv is str:
                texts.append(_string(v))
            elif tv is float and v - v == 0.0:  # finite (an exact float or int's repr is json's text)
                texts.append(repr(v))
            elif tv is int:
                texts.append(repr(v))
            elif v is None:
                texts.append("null")
            elif tv is bool:
                texts.append("true" if v else "false")
            else:
                texts.append(encode(v, inner))
        return form % tuple(texts)
    if t is JsonText:
        return value.text if value.newline == newline else value.text.replace(value.newline, newline)
    if t is list:
        if not value:
            return "[]"
        inner = newline + "  "
        try:
            items = ("," + inner).join(map(_string, value))  # a list of text (a run's inputs ...)
        except TypeError:
            items = ("," + inner).join([_string(v) if type(v) is str else encode(v, inner) for v in value])
        return "[" + inner + items + newline + "]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if t is int:
        return repr(value)
    if t is float and value - value == 0.0:
        return repr(value)
    # Anything else (NaN, tuples, subclasses ...): json's own text, indented to where it sits.
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", newline)


_FORMS: dict[tuple, str] = {}  # a dict's text as a %-format, by (newline, its keys): a trace has few shapes


def _form(value: dict, newline: str) -> str | None:
    """The %-format of a dict of these keys at `newline` (None when a key is not a str: 1 and True are equal)."""
    if len(_FORMS) >= 4096 or any(type(k) is not str for k in value):
        return None
    inner = newline + "  "
    form = "{" + inner + ("," + inner).join((_string(k) + ": ").replace("%", "%%") + "%s" for k in value) + (
        newline + "}")
    _FORMS[(newline, tuple(value))] = form
    return form


def _dict(value: dict, newline: str) -> str:
    inner = newline + "  "
    parts = []
    keys = _KEYS
    for k, v in value.items():
        head = keys.get(k) if type(k) is str else None
        if head is None:
            head = _key_head(k)
        parts.append(head + encode(v, inner))
    return "{" + inner + ("," + inner).join(parts) + newline + "}"


_KEYS: dict[str, str] = {}  # a str key's text with ": ", for the keys seen so far (a trace has few distinct keys)


def _key_head(key: Any) -> str:
    if type(key) is not str:
        return _key(key) + ": "
    head = _string(key) + ": "
    if len(_KEYS) < 4096:
        _KEYS[key] = head
    return head


def _key(key: Any) -> str:
    """A dict key that is not a str, as json writes it."""
    return json.dumps({key: 0}, ensure_ascii=False)[1:-4]


def _element(value: Any) -> str:
    """One element of a list (or dict) that sits at depth 2 of the trace, as `json.dumps(trace, indent=2)` has it."""
    return "    " + encode(value, INVOCATION_NL)


def _value(value: Any) -> str:
    """A member's value at depth 1."""
    return encode(value, "\n  ")


def _input_state(st, cache: dict) -> str:
    """`encode(st.to_json(), "\\n    ")` of an input's final state, from a template (a trace has one per input); the
    text of a state without targets is kept in `cache` (a backlog's inputs mostly end alike)."""
    key = (st.final, st.at, st.attempts, st.receive_count) if not st.targets else None
    text = cache.get(key) if key is not None else None
    if text is not None:
        return text
    at = "null" if st.final == "pending" or st.at is None else repr(st.at / MS)
    targets = encode(list(st.targets), "\n      ") if st.targets else "[]"
    count = "null" if st.receive_count is None else int.__repr__(st.receive_count)
    text = (f'{{\n      "final": {_string(st.final)},\n      "at": {at},\n      "attempts": {int.__repr__(st.attempts)},'
            f'\n      "targets": {targets},\n      "receive_count": {count}\n    }}')
    if key is not None:
        if len(cache) > 4096:
            cache.clear()
        cache[key] = text
    return text


SPILL = 1 << 18  # characters of elements gathered before they are written out (one write per chunk)


class _Section:
    """One list of the trace, its elements gathered in memory and written to a temporary file (UTF-8) a chunk at
    a time."""

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile("w+b")
        self.count = 0
        self.parts: list[str] = []
        self.size = 0
        self.spilled = False

    def add(self, value: Any) -> None:
        if type(value) is Elements:
            self.add_text(value.render(), value.count)
            return
        text = _element(value)
        self.parts.append(text)
        self.count += 1
        self.size += len(text)
        if self.size > SPILL:
            self.spill()

    def add_text(self, text: str, count: int) -> None:
        """`count` elements already written as text, joined by ",\n" (study.sim.text_events)."""
        self.parts.append(text)
        self.count += count
        self.size += len(text)
        if self.size > SPILL:
            self.spill()

    def spill(self) -> None:
        if self.parts:
            self.file.write(((",\n" if self.spilled else "\n") + ",\n".join(self.parts)).encode())
            self.spilled = True
            self.parts, self.size = [], 0

    def copy_to(self, fp: IO[str]) -> None:
        if not self.count:
            fp.write("[]")
            return
        fp.write("[")
        self.spill()
        self.file.seek(0)
        raw = _bytes_of(fp)
        if raw is not None:
            fp.flush()
            shutil.copyfileobj(self.file, raw, 1 << 20)
        else:
            while chunk := self.file.read(1 << 20):
                fp.write(_decode(chunk, self.file))
        fp.write("\n  ]")
        self.file.close()


def _bytes_of(fp: IO[str]) -> IO[bytes] | None:
    """The binary stream under `fp` when text written to `fp` reaches it as the same UTF-8 bytes (a UTF-8 file or
    stdout, no newline translation), so a section is copied without decoding it; else None."""
    raw = getattr(fp, "buffer", None)
    encoding = str(getattr(fp, "encoding", "")).lower().replace("-", "").replace("_", "")
    if raw is None or encoding != "utf8" or os.linesep != "\n":
        return None
    return raw


def _decode(chunk: bytes, file: IO[bytes]) -> str:
    """A chunk of UTF-8 read back, completed to a whole character (a read may stop inside one)."""
    while True:
        try:
            return chunk.decode()
        except UnicodeDecodeError as err:
            if err.start < len(chunk) - 3:
                raise
            more = file.read(1)
            if not more:
                raise
            chunk += more


class TraceSpool:
    """Attach to an engine (`Engine(scenario, spool=TraceSpool())`); `flush` runs every `every` events."""

    def __init__(self, every: int = 1000, pending: int = 20000) -> None:
        self.every = every
        self.pending = pending  # flush as well once the timeline holds this many entries (a backlog's arrivals)
        self.invocations = _Section()
        self.deliveries = _Section()
        self.logs = _Section()
        self.timeline = _Section()
        self.n = 0
        self.errors = 0
        self.billed = 0
        self.last_end = 0.0

    def _add_invocation(self, record: dict) -> None:
        self.n += 1
        record["n"] = self.n
        self.billed += record["billed_ms"]
        self.errors += record["status"] in ("error", "timeout")
        if record["end"] is not None:
            self.last_end = max(self.last_end, record["end"] * MS)
        self.invocations.add(record)

    @staticmethod
    def _drain(entries: list[tuple], before: int | None, inclusive: bool = False) -> tuple[list[tuple], list[tuple]]:
        """(sorted entries earlier than `before` (or at it, when inclusive; all when None), the rest)."""
        if before is None:
            ready, rest = entries, []
        else:
            if inclusive:
                ready = [x for x in entries if x[0] <= before]
            else:
                ready = [x for x in entries if x[0] < before]
            rest = [x for x in entries if x[0] > before or x[0] == before and not inclusive] if len(
                ready) != len(entries) else []
        ready.sort(key=_time_seq)
        return ready, rest

    def flush(self, e) -> None:
        now = e.now
        mark = now
        for env in e.envs:
            if not env.busy and env.stream is not None:
                mark = min(mark, env.idle_since + e.idle_ms)
        # An entry made later is at `mark` or after, with a higher sequence number: those at `mark` may go too.
        ready, e.timeline = self._drain(e.timeline, mark, True)
        for entry in ready:
            self.timeline.add(entry[2])
        ready, e.logs = self._drain(e.logs, mark, True)
        for entry in ready:
            self.logs.add(entry[2])
        ready, e.deliveries = self._drain(e.deliveries, now)
        for entry in ready:
            self.deliveries.add(entry[2])
        # Invocations in (start, creation) order; stop at the first one not finished before now.
        pending = sorted(enumerate(e.invocations), key=lambda x: (x[1].start, x[0]))
        done = 0
        for _, inv in pending:
            if inv.start >= now or inv.end >= now:
                break
            self._add_invocation(inv.to_json(None))
            done += 1
        if done:
            e.invocations = [inv for _, inv in sorted(pending[done:], key=lambda x: x[0])]

    def finish(self, e, source, fp: IO[str]) -> None:
        """Write the whole trace to `fp` (the same text as `dumps(e.trace(source))`)."""
        cutoff = e.cutoff()
        invs = [inv.to_json(cutoff) for inv in e.invocations if cutoff is None or inv.start <= cutoff]
        invs.sort(key=lambda x: x["start"])
        for record in invs:
            self._add_invocation(record)
        for section, entries in ((self.deliveries, e.deliveries), (self.logs, e.logs),
                                 (self.timeline, e.timeline)):
            ready, _ = self._drain(entries, None)
            for entry in ready:
                if cutoff is None or entry[0] <= cutoff:
                    section.add(entry[2])
        e._settle_cutoff(cutoff)
        head = e.trace_head()
        fp.write("{")
        for key, value in head.items():
            fp.write(f"\n  {_string(key)}: {_value(value)},")
        fp.write('\n  "invocations": ')
        self.invocations.copy_to(fp)
        fp.write(',\n  "deliveries": ')
        self.deliveries.copy_to(fp)
        fp.write(',\n  "inputs": ')
        if not e.inputs:
            fp.write("{}")
        else:
            items = iter(e.inputs.items())
            cache: dict = {}
            head = "{\n    "
            while chunk := list(islice(items, 4096)):
                fp.write(head + ",\n    ".join([_string(iid) + ": " + _input_state(st, cache) for iid, st in chunk]))
                head = ",\n    "
            fp.write("\n  }")
        fp.write(',\n  "http": ')
        fp.write(_value([e.http[iid] for iid in source.http_order() if iid in e.http]))
        fp.write(',\n  "logs": ')
        self.logs.copy_to(fp)
        fp.write(',\n  "timeline": ')
        self.timeline.copy_to(fp)
        fp.write(',\n  "summary": ')
        fp.write(_value(e.summary(self.n, self.errors, self.billed, self.last_end)))
        fp.write("\n}")
