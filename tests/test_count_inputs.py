"""A `count` input is kept as one compact run inside the parsed scenario (study.sim.scenario.input_sequence): it
is refused or accepted exactly as checking each generated input in turn was (message and file:line:col, recorded
from that implementation), and read back it gives the same dicts in the same order."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from study.sim.errors import ScenarioError
from study.sim.scenario.input_sequence import CountRun, Inputs
from study.sim.scenario.load import load_scenario, scenario_from_dict

SQS = "title: t\ntrigger: {type: sqs}\ninputs:\n"
FIFO = "title: t\ntrigger: {type: sqs, Queue: {FifoQueue: true}}\ninputs:\n"
KIN = "title: t\ntrigger: {type: kinesis, StartingPosition: TRIM_HORIZON, Stream: {ShardCount: 2}}\ninputs:\n"
DDB = "title: t\ntrigger: {type: dynamodb, StartingPosition: TRIM_HORIZON}\ninputs:\n"

# (name, scenario, inputs_file or None, what checking every input one by one gave: ("ok", how many) or
# (message, file, line, col)).
RECORDED = [
    ('count-zero', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 0, prefix: m}\n',
     None, ('count: 0 is out of range 1..1000000', 's.yaml', 4, 6)),
    ('count-text', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: many, prefix: m}\n',
     None, ('count: expected a whole number, got many', 's.yaml', 4, 6)),
    ('count-float', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 2.5, prefix: m}\n',
     None, ('count: expected a whole number, got 2.5', 's.yaml', 4, 6)),
    ('count-too-big', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 1000001, prefix: m}\n',
     None, ('count: 1000001 is out of range 1..1000000', 's.yaml', 4, 6)),
    ('count-with-id', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 3, prefix: m, id: x}\n',
     None, ('an input with count needs a prefix (ids prefix1..prefixN) and no id', 's.yaml', 4, 5)),
    ('count-no-prefix', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 3}\n',
     None, ('an input with count needs a prefix (ids prefix1..prefixN) and no id', 's.yaml', 4, 5)),
    ('prefix-no-count', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {prefix: m}\n',
     None, ('an input with count needs a prefix (ids prefix1..prefixN) and no id', 's.yaml', 4, 5)),
    ('prefix-list', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 3, prefix: [a]}\n',
     None, ("prefix: expected text, got ['a']", 's.yaml', 4, 16)),
    ('count-unknown-key', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 3, prefix: m, bogus: 1}\n',
     None, ('bogus: not a key of a sqs input; expected one of: at, attributes, body, count, dedup_id, delay, group, id, prefix', 's.yaml', 4, 27)),
    ('count-negative-at', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {at: -1, count: 3, prefix: m}\n',
     None, ('at: -1 is out of range; expected at least 0', 's.yaml', 4, 6)),
    ('explicit-then-run', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {id: m3}\n  - {count: 5, prefix: m}\n',
     None, ("id: 'm3' is used by two inputs; ids must be unique", 's.yaml', 5, 5)),
    ('explicit-m1-then-run', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {id: m1}\n  - {count: 5, prefix: m}\n',
     None, ("id: 'm1' is used by two inputs; ids must be unique", 's.yaml', 5, 5)),
    ('explicit-late-then-run', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {id: m7}\n  - {id: m40}\n  - {count: 50, prefix: m}\n',
     None, ("id: 'm7' is used by two inputs; ids must be unique", 's.yaml', 6, 5)),
    ('explicit-beyond-run', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {id: m6}\n  - {id: m05}\n  - {count: 5, prefix: m}\n',
     None, ('ok', 7)),
    ('run-then-explicit', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 5, prefix: m}\n  - {id: m4}\n',
     None, ("id: 'm4' is used by two inputs; ids must be unique", 's.yaml', 5, 5)),
    ('run-then-explicit-ok', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 5, prefix: m}\n  - {id: m6}\n  - {id: m0}\n  - {id: m01}\n',
     None, ('ok', 8)),
    ('run-then-int-id', "title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 5, prefix: ''}\n  - {id: 3}\n",
     None, ("id: '3' is used by two inputs; ids must be unique", 's.yaml', 5, 5)),
    ('run-longer-prefix-later', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 20, prefix: m}\n  - {count: 5, prefix: m1}\n',
     None, ("id: 'm11' is used by two inputs; ids must be unique", 's.yaml', 5, 5)),
    ('run-shorter-prefix-later', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 5, prefix: m1}\n  - {count: 20, prefix: m}\n',
     None, ("id: 'm11' is used by two inputs; ids must be unique", 's.yaml', 5, 5)),
    ('run-prefix-no-clash', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 9, prefix: m}\n  - {count: 5, prefix: m1}\n',
     None, ('ok', 14)),
    ('run-prefix-no-clash-2', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 5, prefix: m1}\n  - {count: 9, prefix: m}\n',
     None, ('ok', 14)),
    ('run-same-prefix', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 5, prefix: m}\n  - {at: 2, count: 1, prefix: m}\n',
     None, ("id: 'm1' is used by two inputs; ids must be unique", 's.yaml', 5, 5)),
    ('run-zero-digit-prefix', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 200, prefix: m}\n  - {count: 5, prefix: m10}\n',
     None, ("id: 'm101' is used by two inputs; ids must be unique", 's.yaml', 5, 5)),
    ('run-digits-prefix', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 5, prefix: m10}\n  - {count: 2000, prefix: m}\n',
     None, ("id: 'm101' is used by two inputs; ids must be unique", 's.yaml', 5, 5)),
    ('cap-two-runs', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 600000, prefix: a}\n  - {count: 400001, prefix: b}\n',
     None, ('1,000,001 inputs are more than the 1,000,000 one scenario may have generated with count (the limit)', 's.yaml', 5, 6)),
    ('cap-then-explicit', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 1000000, prefix: a}\n  - {id: x}\n',
     None, ('1,000,001 inputs are more than the 1,000,000 one scenario may have in all (the limit)', 's.yaml', 5, 5)),
    ('fifo-no-group', 'title: t\ntrigger: {type: sqs, Queue: {FifoQueue: true}}\ninputs:\n  - {count: 3, prefix: m}\n',
     None, ('group: a message sent to a FIFO queue needs a MessageGroupId (MissingParameter: The request must contain the parameter MessageGroupId.)', 's.yaml', 4, 5)),
    ('fifo-delay', 'title: t\ntrigger: {type: sqs, Queue: {FifoQueue: true}}\ninputs:\n  - {count: 3, prefix: m, group: g, delay: 1}\n',
     None, ('delay: FIFO queues do not support per-message timers; set DelaySeconds on the queue instead', 's.yaml', 4, 37)),
    ('standard-group', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 3, prefix: m, group: g}\n',
     None, ('group: MessageGroupId is for FIFO queues only', 's.yaml', 4, 27)),
    ('sqs-delay-range', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 3, prefix: m, delay: 2000}\n',
     None, ('delay: 2000 is out of range; expected at most 900', 's.yaml', 4, 27)),
    ('sqs-attributes', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 3, prefix: m, attributes: [1]}\n',
     None, ('attributes: expected a mapping of message attributes', 's.yaml', 4, 27)),
    ('kinesis-shard-range', 'title: t\ntrigger: {type: kinesis, StartingPosition: TRIM_HORIZON, Stream: {ShardCount: 2}}\ninputs:\n  - {count: 3, prefix: r, shard: 7}\n',
     None, ('shard: expected a shard index 0..1', 's.yaml', 4, 27)),
    ('kinesis-shard-bool', 'title: t\ntrigger: {type: kinesis, StartingPosition: TRIM_HORIZON, Stream: {ShardCount: 2}}\ninputs:\n  - {count: 3, prefix: r, shard: true}\n',
     None, ('shard: expected a shard index 0..1', 's.yaml', 4, 27)),
    ('kinesis-clash', 'title: t\ntrigger: {type: kinesis, StartingPosition: TRIM_HORIZON, Stream: {ShardCount: 2}}\ninputs:\n  - {count: 100, prefix: s0r, shard: 0}\n  - {id: s0r12}\n',
     None, ("id: 's0r12' is used by two inputs; ids must be unique", 's.yaml', 5, 5)),
    ('kinesis-bad-shard-before-dup', 'title: t\ntrigger: {type: kinesis, StartingPosition: TRIM_HORIZON, Stream: {ShardCount: 2}}\ninputs:\n  - {id: r2}\n  - {count: 3, prefix: r, shard: 9}\n',
     None, ('shard: expected a shard index 0..1', 's.yaml', 5, 27)),
    ('kinesis-dup-before-bad-shard', 'title: t\ntrigger: {type: kinesis, StartingPosition: TRIM_HORIZON, Stream: {ShardCount: 2}}\ninputs:\n  - {id: r1}\n  - {count: 3, prefix: r, shard: 9}\n',
     None, ("id: 'r1' is used by two inputs; ids must be unique", 's.yaml', 5, 5)),
    ('dynamodb-event', 'title: t\ntrigger: {type: dynamodb, StartingPosition: TRIM_HORIZON}\ninputs:\n  - {count: 3, prefix: r, event: UPSERT}\n',
     None, ("event: 'UPSERT' is not one of INSERT, MODIFY, REMOVE", 's.yaml', 4, 27)),
    ('dynamodb-old-item', 'title: t\ntrigger: {type: dynamodb, StartingPosition: TRIM_HORIZON}\ninputs:\n  - {count: 3, prefix: r, old_item: {a: 1}}\n',
     None, ('old_item: only a MODIFY has an item before the change', 's.yaml', 4, 27)),
    ('file-dup', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 10, prefix: m}\ninputs_file: m.jsonl\n',
     '{"id": "x"}\n\n{"id": "m10"}\n', ("id: 'm10' is used by two inputs; ids must be unique", 'm.jsonl', 3, 1)),
    ('file-run-dup', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {id: k7}\ninputs_file: m.jsonl\n',
     '{"id": "x"}\n{"count": 9, "prefix": "k"}\n', ("id: 'k7' is used by two inputs; ids must be unique", 'm.jsonl', 2, 1)),
    ('file-run-bad-count', 'title: t\ntrigger: {type: sqs}\ninputs:\n  - {id: a}\ninputs_file: m.jsonl\n',
     '{"count": -3, "prefix": "k"}\n', ('count: -3 is out of range 1..1000000', 'm.jsonl', 1, 1)),
]


@pytest.mark.parametrize("name, text, jsonl, want", RECORDED, ids=[r[0] for r in RECORDED])
def test_count_inputs_are_refused_as_before(tmp_path: Path, name, text, jsonl, want) -> None:
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    if jsonl is not None:
        (tmp_path / "m.jsonl").write_text(jsonl, encoding="utf-8")
    if want[0] == "ok":
        assert len(load_scenario(tmp_path / "s.yaml").inputs) == want[1]
        return
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "s.yaml")
    err = info.value
    assert (err.message, Path(err.file).name, err.line, err.col) == want


def _expanded(entries: list) -> list[dict]:
    """The inputs as if every count were written out one by one (ids, send instants, indexes), sorted."""
    out = []
    for e in entries:
        if "count" in e:
            out += [{"id": f"{e['prefix']}{k}", "at_ms": e.get("at", 0) * 1000} for k in range(1, e["count"] + 1)]
        else:
            out.append({"id": str(e["id"]), "at_ms": e.get("at", 0) * 1000})
    for i, x in enumerate(out):
        x["index"] = i
    return sorted(out, key=lambda x: (x["at_ms"], x["index"]))


def _first_clash(entries: list) -> tuple[str, int] | None:
    """The id refused first and the entry that brings it, checking every generated id in turn."""
    seen: set[str] = set()
    for n, e in enumerate(entries):
        ids = [f"{e['prefix']}{k}" for k in range(1, e["count"] + 1)] if "count" in e else [str(e["id"])]
        for iid in ids:
            if iid in seen:
                return iid, n
            seen.add(iid)
    return None


pieces = st.sampled_from(["", "m", "m1", "m10", "1", "10", "a0", "m01", "2"])
entry = st.one_of(
    st.builds(lambda p, n, at: {"at": at, "count": n, "prefix": p}, pieces, st.integers(1, 120), st.integers(0, 3)),
    st.builds(lambda p, k, at: {"at": at, "id": f"{p}{k}"}, pieces, st.integers(0, 130), st.integers(0, 3)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(entry, min_size=1, max_size=6))
def test_ids_are_checked_by_arithmetic_as_one_by_one(entries) -> None:
    """Prefixes that are each other's start plus digits, ids with and without leading zeros: the first clash is
    the one checking every id would find, at the entry that brings it; otherwise the inputs read back in order."""
    data = {"title": "t", "trigger": {"type": "sqs"}, "inputs": entries}
    clash = _first_clash(entries)
    if clash is not None:
        with pytest.raises(ScenarioError, match=f": id: {clash[0]!r} is used by two inputs; ids must be unique$"):
            scenario_from_dict(data)
        return
    got = scenario_from_dict(data).inputs
    want = _expanded(entries)
    assert len(got) == len(want)
    assert [(x["id"], x["at_ms"], x["index"]) for x in got] == [(x["id"], x["at_ms"], x["index"]) for x in want]
    assert list(got.ids()) == [x["id"] for x in want]
    assert [got[i]["id"] for i in range(-len(want), len(want))] == [x["id"] for x in want] * 2
    assert [x["id"] for x in got[1:-1]] == [x["id"] for x in want[1:-1]]
    stretches = [(at, first, end) for at, first, end in got.instants()]
    assert [x["at_ms"] for x in want] == [at for at, first, end in stretches for _ in range(first, end)]


def test_a_backlog_is_one_run_and_reads_as_dicts() -> None:
    data = {"title": "t", "trigger": {"type": "kinesis", "StartingPosition": "TRIM_HORIZON",
                                      "Stream": {"ShardCount": 4}},
            "inputs": [{"at": 1, "id": "x"}, {"at": 0, "count": 999_999, "prefix": "r", "shard": 3}]}
    inputs = scenario_from_dict(data).inputs
    runs = [seg for seg, _, _ in inputs.segments() if isinstance(seg, CountRun)]
    assert len(runs) == 1 and len(inputs) == 1_000_000
    assert inputs[999_998] == {"shard": 3, "id": "r999999", "at_ms": 0, "index": 999_999,
                               "_where": ("inputs", 1), "partition_key": "r999999", "data": "r999999"}
    assert inputs[-1]["id"] == "x"
    assert list(inputs.columns(("shard",), 0, 999_999)) == [((3,), 999_999)]
    assert list(inputs.instants()) == [(0, 0, 999_999), (1000, 999_999, 1_000_000)]
    for copied in (copy.deepcopy(inputs), pickle.loads(pickle.dumps(inputs))):
        assert isinstance(copied, Inputs) and len(copied) == len(inputs) and copied[5] == inputs[5]
    small = scenario_from_dict({**data, "inputs": [{"at": 0, "count": 5, "prefix": "r", "shard": 1}]}).inputs
    assert small == list(small) and list(small.columns(("partition_key",), 1, 3)) == [(("r2",), 1), (("r3",), 1)]
