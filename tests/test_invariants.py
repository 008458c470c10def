"""Hypothesis invariants of the emulator: determinism, conservation of inputs, retry bounds, ordering."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from study.sim.engine import dumps
from study.sim.run import simulate
from study.sim.scenario.load import scenario_from_dict

FINALS = {"succeeded", "failed", "dead_lettered", "dropped", "filtered", "coalesced", "pending"}
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(data: dict) -> dict:
    return simulate(scenario_from_dict(data))


@FAST
@given(n=st.integers(1, 12), batch=st.integers(1, 5), retries=st.integers(0, 3), bisect=st.booleans(),
       poison=st.sets(st.integers(1, 12), max_size=3), seed=st.integers(0, 2**32), shards=st.integers(1, 3))
def test_stream_invariants(n, batch, retries, bisect, poison, seed, shards) -> None:
    data = {
        "title": "stream", "seed": seed,
        "function": {"behavior": {"fail_records": [f"r{i}" for i in poison if i <= n]}},
        "trigger": {"type": "kinesis", "StartingPosition": "TRIM_HORIZON", "BatchSize": batch,
                    "MaximumRetryAttempts": retries, "BisectBatchOnFunctionError": bisect,
                    "Stream": {"ShardCount": shards}, "DestinationConfig": {"OnFailure": {"Destination": "sqs:d"}}},
        "inputs": [{"at": 0, "count": n, "prefix": "r"}],
    }
    trace = run(data)
    assert dumps(trace) == dumps(run(data))  # deterministic, byte for byte
    assert set(trace["inputs"]) == {f"r{i}" for i in range(1, n + 1)}
    assert all(v["final"] in FINALS for v in trace["inputs"].values())
    for i in range(1, n + 1):
        final = trace["inputs"][f"r{i}"]["final"]
        # A poison record never succeeds; a healthy one is never discarded when bisect can isolate it.
        if i in {p for p in poison if p <= n}:
            assert final == "dead_lettered"
        elif bisect:
            assert final == "succeeded"
    # Per-shard order: each shard's first deliveries of records follow their sequence order.
    seen: dict[str, list[str]] = {}
    for inv in trace["invocations"]:
        for iid in inv["inputs"]:
            lst = seen.setdefault(inv["shard"], [])
            if iid not in lst:
                lst.append(iid)
    for ids in seen.values():
        assert ids == sorted(ids, key=lambda x: int(x[1:]))
    # Without bisect, each discarded batch ran exactly retries + 1 times.
    if not bisect:
        for d in trace["deliveries"]:
            assert d["message"]["requestContext"]["approximateInvokeCount"] == retries + 1


@FAST
@given(fails=st.sets(st.integers(1, 4), max_size=4), retries=st.integers(0, 2), duration=st.integers(0, 5),
       seed=st.integers(0, 1000))
def test_async_invariants(fails, retries, duration, seed) -> None:
    data = {"title": "async", "seed": seed,
            "function": {"Timeout": 10, "behavior": {"fail_attempts": sorted(fails), "duration": duration}},
            "trigger": {"type": "async", "MaximumRetryAttempts": retries},
            "inputs": [{"at": 0, "id": "e1", "payload": {}}]}
    trace = run(data)
    runs = trace["invocations"]
    assert 1 <= len(runs) <= retries + 1
    statuses = [r["status"] for r in runs]
    assert statuses == ["error" if k in fails else "success" for k in range(1, len(runs) + 1)]
    if statuses[-1] == "error":
        assert len(runs) == retries + 1
    for k in range(1, len(runs)):
        assert runs[k]["start"] - runs[k - 1]["end"] == (60 if k == 1 else 120)
    assert len({r["request_id"] for r in runs}) == 1


@FAST
@given(n=st.integers(1, 15), batch=st.integers(1, 10), vt=st.integers(5, 60), mrc=st.integers(1, 4),
       bad=st.sets(st.integers(1, 15), max_size=4))
def test_sqs_invariants(n, batch, vt, mrc, bad) -> None:
    bad = {b for b in bad if b <= n}
    data = {"title": "sqs", "function": {"behavior": {"report_failures": [f"m{i}" for i in bad]}},
            "trigger": {"type": "sqs", "BatchSize": batch, "FunctionResponseTypes": ["ReportBatchItemFailures"],
                        "Queue": {"VisibilityTimeout": vt,
                                  "RedrivePolicy": {"deadLetterTargetArn": "sqs:dlq", "maxReceiveCount": mrc}}},
            "inputs": [{"at": 0, "count": n, "prefix": "m"}]}
    trace = run(data)
    for i in range(1, n + 1):
        st_ = trace["inputs"][f"m{i}"]
        if i in bad:
            assert st_["final"] == "dead_lettered" and st_["attempts"] == mrc and st_["receive_count"] == mrc
        else:
            assert st_["final"] == "succeeded" and st_["attempts"] == 1
    assert all(len(inv["inputs"]) <= batch for inv in trace["invocations"])
    assert len(trace["deliveries"]) == len(bad)
