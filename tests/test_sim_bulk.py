"""The bulk path of a lean run (study.sim.lean_bulk) gives the same summary and final-state counts as the full,
per-message trace, on generated SQS and stream workloads it takes (warm and cold environments, idle expiry, poller
scaling, MaximumConcurrency, partial batches, `until`, max_invocations, starting positions), and it is not taken
where messages could differ."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from study.sim.lean_bulk import BulkSqsSource, BulkStreamSource, bulk_source
from study.sim.run import simulate, simulate_summary
from study.sim.scenario.load import scenario_from_dict


def full_view(trace: dict) -> dict:
    finals = Counter(v["final"] for v in trace["inputs"].values())
    return {"summary": trace["summary"], "finals": dict(sorted(finals.items()))}


def same_as_full(data: dict, source: type | None) -> None:
    assert bulk_source(scenario_from_dict(data)) is source
    assert simulate_summary(scenario_from_dict(data)) == full_view(simulate(scenario_from_dict(data)))


times = st.integers(0, 4000).map(lambda ms: ms / 1000)  # seconds with milliseconds


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sends=st.lists(st.tuples(st.integers(0, 200), st.integers(1, 400)), min_size=1, max_size=4),
       batch=st.integers(1, 10), duration=times, per_record=st.integers(0, 300).map(lambda ms: ms / 1000),
       init=st.integers(0, 2000).map(lambda ms: ms / 1000), idle=st.integers(0, 30), profile=st.sampled_from(
           ["exam", "aws"]), maxc=st.one_of(st.none(), st.integers(2, 40)), until=st.one_of(st.none(),
                                                                                             st.integers(1, 400)),
       cap=st.one_of(st.none(), st.integers(1, 300)), rbif=st.booleans(), memory=st.sampled_from([128, 1769]),
       account=st.sampled_from([3, 40, 2000]))
def test_sqs_bulk_matches_full_run(sends, batch, duration, per_record, init, idle, profile, maxc, until, cap, rbif,
                                   memory, account) -> None:
    data = {"title": "sqs bulk", "profile": profile, "account_concurrency": account,
            "function": {"Timeout": 30, "MemorySize": memory, "init_duration": init, "idle_ttl": idle,
                         "behavior": {"duration": duration, "duration_per_record": per_record}},
            "trigger": {"type": "sqs", "BatchSize": batch, "ScalingConfig": {"MaximumConcurrency": maxc},
                        "FunctionResponseTypes": ["ReportBatchItemFailures"] if rbif else [],
                        "Queue": {"VisibilityTimeout": 30}},
            "inputs": [{"at": at, "count": n, "prefix": f"m{k}_"} for k, (at, n) in enumerate(sends)]}
    if maxc is None:
        del data["trigger"]["ScalingConfig"]
    if until is not None:
        data["until"] = until
    if cap is not None:
        data["max_invocations"] = cap
    slow = duration + per_record * batch > 30
    pollers = min(1000 if profile == "exam" else 1250, maxc or 2000, sum(n for _, n in sends))
    same_as_full(data, None if slow or pollers > account else BulkSqsSource)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sends=st.lists(st.tuples(st.integers(0, 120), st.integers(1, 300), st.one_of(st.none(), st.integers(0, 3))),
                      min_size=1, max_size=5),
       shards=st.integers(1, 4), batch=st.integers(1, 100), duration=times, init=st.integers(0, 1500).map(
           lambda ms: ms / 1000), idle=st.integers(0, 20), profile=st.sampled_from(["exam", "aws"]),
       position=st.sampled_from(["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]), mapping_at=st.integers(0, 60),
       until=st.one_of(st.none(), st.integers(1, 300)), cap=st.one_of(st.none(), st.integers(1, 60)),
       kind=st.sampled_from(["kinesis", "dynamodb"]), age=st.sampled_from([-1, 60, 600]))
def test_stream_bulk_matches_full_run(sends, shards, batch, duration, init, idle, profile, position, mapping_at,
                                      until, cap, kind, age) -> None:
    if kind == "dynamodb" and position == "AT_TIMESTAMP":
        position = "LATEST"
    trigger = {"type": kind, "StartingPosition": position, "BatchSize": batch, "mapping_at": mapping_at,
               "MaximumRecordAgeInSeconds": age, "Stream": {"ShardCount": shards}}
    if position == "AT_TIMESTAMP":
        trigger["StartingPositionTimestamp"] = 1767225600 + 30  # the default start time + 30 s
    inputs = []
    for k, (at, n, shard) in enumerate(sends):
        one = {"at": at, "count": n, "prefix": f"r{k}_"}
        if shard is not None and shard < shards:
            one["shard"] = shard
        inputs.append(one)
    data = {"title": "stream bulk", "profile": profile,
            "function": {"Timeout": 30, "init_duration": init, "idle_ttl": idle, "behavior": {"duration": duration}},
            "trigger": trigger, "inputs": inputs}
    if until is not None:
        data["until"] = until
    if cap is not None:
        data["max_invocations"] = cap
    scenario = scenario_from_dict(data)
    source = bulk_source(scenario)
    if age == -1:
        assert source is BulkStreamSource  # a day's retention is far off
    same_as_full(data, source)


def test_bulk_is_not_taken_where_messages_could_differ() -> None:
    base = {"title": "t", "function": {"behavior": {"duration": 1}},
            "trigger": {"type": "sqs", "Queue": {"VisibilityTimeout": 30}},
            "inputs": [{"at": 0, "count": 50, "prefix": "m"}]}
    assert bulk_source(scenario_from_dict(base)) is BulkSqsSource
    # Without a DLQ a failed message comes back every 30 s until the emulator's 7-day cap: the first variant
    # runs there (20,165 runs, the time cap's lean-vs-full check); the two where every batch fails stop after an
    # hour (600 runs), since a week of them (100,805 runs, a minute of full trace each) shows nothing more.
    variants = [
        {"function": {"behavior": {"duration": 1, "fail_records": ["m3"]}}},
        {"function": {"behavior": {"duration": 1, "report_failures": ["m3"]}}},
        {"function": {"behavior": {"duration": 1, "fail": "always"}}, "until": 3600},
        {"function": {"Timeout": 1, "behavior": {"duration": 2}}, "until": 3600},
        {"function": {"Timeout": 3, "behavior": {"duration": 2}, "init_duration": 2},
         "trigger": {"type": "sqs", "Queue": {"VisibilityTimeout": 3}}},
        {"function": {"behavior": {"duration": 1}, "ReservedConcurrentExecutions": 10}},
        {"trigger": {"type": "sqs", "MaximumBatchingWindowInSeconds": 1, "Queue": {"VisibilityTimeout": 30}}},
        {"trigger": {"type": "sqs", "Queue": {"VisibilityTimeout": 30, "DelaySeconds": 1}}},
        {"inputs": [{"at": 0, "count": 50, "prefix": "m"}, {"at": 0, "id": "x", "delay": 1}]},
    ]
    for change in variants:
        data = {**base, **change}
        assert bulk_source(scenario_from_dict(data)) is None, change
        same_as_full(data, None)
    fifo = {**base, "trigger": {"type": "sqs", "Queue": {"FifoQueue": True, "VisibilityTimeout": 30}},
            "inputs": [{"at": 0, "count": 5, "prefix": "m", "group": "g"}]}
    assert bulk_source(scenario_from_dict(fifo)) is None
    stream = {"title": "s", "function": {"behavior": {"duration": 1}},
              "trigger": {"type": "kinesis", "StartingPosition": "TRIM_HORIZON", "ParallelizationFactor": 2},
              "inputs": [{"at": 0, "count": 5, "prefix": "r"}]}
    assert bulk_source(scenario_from_dict(stream)) is None


def test_a_large_backlog_runs_in_bulk() -> None:
    """The issue's workload (SQS messages at t = 0, BatchSize 10, 0.1 s runs, exam profile) at a fifth of its size
    runs in bulk and gives the figures a per-message run gives. How fast it runs is measured by
    bench/bench_sqs_scale.py, not asserted here (no speed target in a test)."""
    data = {"title": "200k", "profile": "exam", "account_concurrency": 100000,
            "function": {"Timeout": 3, "behavior": {"duration": 0.1}},
            "trigger": {"type": "sqs", "BatchSize": 10, "Queue": {"VisibilityTimeout": 30}},
            "inputs": [{"at": 0, "count": 200_000, "prefix": "m"}]}
    scenario = scenario_from_dict(data)
    assert bulk_source(scenario) is BulkSqsSource
    got = simulate_summary(scenario)
    assert got["summary"]["invocations"] == 20_000
    assert got["finals"] == {"succeeded": 200_000}
    assert got["summary"]["max_concurrency"] == 65  # 5 pollers, then 65 from the first minute
