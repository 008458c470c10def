"""Event payloads as JSON text, for the streamed trace (`study sim --json`, study.sim.spool): with a `behavior`
handler nothing reads an invocation's event but the trace, so an SQS or Kinesis event is rendered straight into
the text the trace's encoder would write for it, from a template made by that encoder (docs/emulator.md "Lean
mode and scale"). A real handler gets the usual event dict: these sources are only used without one.

A template is the encoder's own text for payloads.py's record whose varying fields are set to markers, cut at
the markers; a record is the template's pieces with the varying fields' JSON text in between, so neither the
shape nor the layout is written twice (tests/test_sim_text_events.py compares the traces with the general
path's, whose events are payloads.py's dicts written by json).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from study.sim import payloads
from study.sim.ids import UUID_VARIANT_DIGIT, uuid_text
from study.sim.spool import INVOCATION_NL, JsonText, encode
from study.sim.sqs import Message, SqsSource
from study.sim.streams import StreamSource

try:  # CPython's own MD5: the same digest, without OpenSSL's per-call set-up (twice as fast on a short body)
    from _md5 import md5 as _md5
except ImportError:  # pragma: no cover - a build without it
    _md5 = hashlib.md5

_string = json.encoder.encode_basestring
EVENT_NL = INVOCATION_NL + "  "  # an invocation's members, where its `event` sits
RECORD_NL = EVENT_NL + "    "  # the elements of the event's Records


_MARK = re.compile(r'"\\u0000slot(\d+)\\u0000"')


def template(sample: Any, newline: str) -> list[str]:
    """`encode(sample, newline)` cut at its markers (`_slot(i)` strings): the literal pieces around the fields,
    one more than the fields. The markers are numbered in the order the text has them, so the fields are given
    in that order."""
    text = encode(sample, newline)
    found = [int(i) for i in _MARK.findall(text)]
    if found != sorted(set(found)):
        raise ValueError(f"template markers out of order: {found}")
    return _MARK.split(text)[::2]


def _slot(i: int) -> str:
    """A marker in a template's sample record: where the i-th varying field goes."""
    return f"\x00slot{i}\x00"


def fill(pieces: list[str], fields) -> str:
    """A template's pieces with the fields' JSON text between them."""
    parts = [pieces[0]]
    for field, piece in zip(fields, pieces[1:], strict=True):
        parts.append(field)
        parts.append(piece)
    return "".join(parts)


def records_text(records: list[str]) -> JsonText:
    """`{"Records": [...]}` around records already rendered at RECORD_NL."""
    inner = EVENT_NL + "  "
    return JsonText("{" + inner + '"Records": [' + RECORD_NL + ("," + RECORD_NL).join(records) + inner + "]"
                    + EVENT_NL + "}", EVENT_NL)


class SqsRecords:
    """SQS records as JSON text at RECORD_NL: one without message attributes from a template (payloads.sqs_record's
    record with its varying fields as markers), any other through payloads.sqs_record and the encoder."""

    def __init__(self, engine, trigger: dict) -> None:
        ids = engine.ids
        self.e = engine
        self.base = engine.epoch_ms(0)
        self._message_ids = ids.hasher("message")
        self._receipts = ids.hasher("receipt")
        sample = Message("", 0, ids)
        sample.body, sample.receive_count, sample.sent_ms, sample.first_receive_ms = "", 1, 0, 0
        sample.attributes = None
        sample.sequence_number = sample.group = sample.dedup_id = ""
        record = payloads.sqs_record(engine, sample, trigger)
        record.update(messageId=_slot(1), receiptHandle=_slot(2), body=_slot(3), md5OfBody=_slot(10))
        record["attributes"].update(ApproximateReceiveCount=_slot(4), SentTimestamp=_slot(5),
                                    ApproximateFirstReceiveTimestamp=_slot(6))
        if trigger["Queue"]["FifoQueue"]:
            record["attributes"].update(SequenceNumber=_slot(7), MessageGroupId=_slot(8),
                                        MessageDeduplicationId=_slot(9))
        self._record = template(record, RECORD_NL)

    def message_id(self, iid: str) -> str:
        """`Ids.uuid("message", iid)`."""
        h = self._message_ids.copy()
        h.update(iid.encode())
        return uuid_text(h.digest())

    def plain(self, iid: str, message_id: str, body: str, receive_count: int, sent_ms: int, first_ms: int,
              fifo: tuple[str, ...] = ()) -> str:
        """A record without message attributes (`fifo`: the FIFO attributes' JSON text)."""
        h = self._receipts.copy()
        h.update(f"{iid}|{receive_count}".encode())
        base = self.base
        return fill(self._record, ('"' + message_id + '"', '"AQEB' + h.hexdigest()[:48] + '"', _string(body),
                                   f'"{receive_count}"', f'"{base + sent_ms}"', f'"{base + first_ms}"', *fifo,
                                   '"' + _md5(body.encode()).hexdigest() + '"'))

    def first_receives(self, rows: list[tuple], now: int) -> list[str]:
        """Records of messages of a standard queue received for the first time now, without message attributes:
        `rows` of (id, body, attributes, sent_ms) as study.sim.bulk_trace keeps them (`plain`, inlined)."""
        message_ids, receipts, md5, join = self._message_ids, self._receipts, _md5, "".join
        p0, p1, p2, p3, p4, p5, p6, p7 = self._record
        base, variant = self.base, UUID_VARIANT_DIGIT
        first = f'"{base + now}"'
        sent_ms, sent = None, ""
        out = []
        for iid, body, _, at_ms in rows:
            if at_ms != sent_ms:
                sent_ms, sent = at_ms, f'"{base + at_ms}"'
            name = iid.encode()
            h = message_ids.copy()
            h.update(name)
            x = h.hexdigest()
            h = receipts.copy()
            h.update(name + b"|1")
            out.append(join((p0, f'"{x[:8]}-{x[8:12]}-4{x[13:16]}-{variant[x[16]]}{x[17:20]}-{x[20:32]}"', p1,
                             '"AQEB' + h.hexdigest()[:48] + '"', p2, _string(body), p3, '"1"', p4, sent, p5, first,
                             p6, '"' + md5(body.encode()).hexdigest() + '"', p7)))
        return out

    def general(self, msg, trigger: dict) -> str:
        return encode(payloads.sqs_record(self.e, msg, trigger), RECORD_NL)


class TextSqsSource(SqsSource):
    """The SQS source whose events are JSON text."""

    def __init__(self, engine) -> None:
        super().__init__(engine)
        self.records = SqsRecords(engine, self.t)

    def _event(self, batch: list) -> JsonText:
        records, fifo = self.records, self.fifo
        out = []
        for m in batch:
            if m.attributes:
                out.append(records.general(m, self.t))
                continue
            mid = m._message_id
            if mid is None:
                mid = m._message_id = records.message_id(m.iid)
            out.append(records.plain(m.iid, mid, m.body, m.receive_count, m.sent_ms, m.first_receive_ms,
                                     (_string(m.sequence_number), encode(m.group), encode(m.dedup_id)) if fifo
                                     else ()))
        return records_text(out)


class TextStreamSource(StreamSource):
    """The Kinesis source whose events are JSON text (a DynamoDB stream's records go through the encoder)."""

    def __init__(self, engine) -> None:
        super().__init__(engine)
        if self.kind == "kinesis":
            sample = payloads.kinesis_record(engine, _KinesisSample, self.t)
            sample["kinesis"].update(partitionKey=_slot(1), sequenceNumber=_slot(2), data=_slot(3),
                                     approximateArrivalTimestamp=_slot(4))
            sample["eventID"] = _slot(5)
            self._record = template(sample, RECORD_NL)

    def _event(self, records: list) -> JsonText:
        if self.kind != "kinesis":
            return JsonText(encode(super()._event(records), EVENT_NL), EVENT_NL)
        base = self.e.epoch_ms(0)
        p0, p1, p2, p3, p4, p5 = self._record
        join, b64 = "".join, payloads.b64
        out = []
        for r in records:
            seq = r.sequence_number
            out.append(join((p0, _string(r.partition_key), p1, '"' + seq + '"', p2, '"' + b64(r.data) + '"', p3,
                             repr((base + r.arrival_ms) / 1000), p4, _string(f"{r.shard_id}:{seq}"), p5)))
        return records_text(out)


class _KinesisSample:
    """A Kinesis record for a template (its varying fields are then set to markers)."""

    partition_key = sequence_number = data = shard_id = ""
    arrival_ms = 0
