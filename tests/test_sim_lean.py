"""A lean run (`study sim --summary`) gives the full trace's summary and final-state counts, for every case and lab
(and every case under each emulator misconception) and for generated SQS and stream scenarios."""

from __future__ import annotations

import copy
import functools
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from study.sim import yamlpos
from study.sim.errors import ScenarioError
from study.sim.misconceptions import KNOWN
from study.sim.run import simulate, simulate_summary
from study.sim.scenario.load import build_scenario, load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "tests/cases").rglob("*.yaml")) + sorted((ROOT / "content/labs").glob("*.yaml"))


def full_view(trace: dict) -> dict:
    finals = Counter(v["final"] for v in trace["inputs"].values())
    return {"summary": trace["summary"], "finals": dict(sorted(finals.items()))}


def check(scenario_of, first=None) -> None:
    """Each run gets a scenario of its own (a run may change what it is given); `first`, when given, is an
    already loaded one for the lean run, so a file is not parsed three times."""
    assert simulate_summary(first or scenario_of()) == full_view(simulate(scenario_of()))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_lean_summary_matches_full_trace(path: Path) -> None:
    try:
        first = load_scenario(path)
    except ScenarioError:
        return  # an invalid case: `study sim` refuses it before running anything
    check(lambda: load_scenario(path), first)


CASES = [p for p in FILES if "tests/cases" in p.as_posix()]  # the labs' large backlogs make the sweep too slow


@functools.cache
def parsed(path: Path) -> tuple:
    """A case's YAML, read once per process for every misconception; each run builds its own scenario from a
    copy (build_scenario is load_scenario's second half)."""
    return yamlpos.load_file(str(path))


def built(path: Path, mid: str):
    data, marks = parsed(path)
    return build_scenario(copy.deepcopy(data), marks, str(path), path.resolve().parent, frozenset({mid}))


@pytest.mark.parametrize("mid", sorted(KNOWN))  # one test per misconception: xdist spreads them over workers
def test_lean_summary_matches_full_trace_under_misconceptions(mid: str) -> None:
    checked = 0
    for path in CASES:
        try:
            first = built(path, mid)
        except ScenarioError:
            continue
        check(lambda p=path: built(p, mid), first)
        checked += 1
    assert checked > len(CASES) / 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 40), batch=st.integers(1, 10), vt=st.integers(1, 30), mrc=st.integers(1, 4),
       bad=st.sets(st.integers(1, 40), max_size=4), fail=st.sets(st.integers(1, 40), max_size=3),
       reserved=st.one_of(st.none(), st.integers(0, 3)), duration=st.integers(1, 40), window=st.integers(0, 3),
       until=st.one_of(st.none(), st.integers(1, 120)), cap=st.one_of(st.none(), st.integers(1, 30)),
       profile=st.sampled_from(["exam", "aws"]), spread=st.integers(0, 3))
def test_lean_sqs_generated(n, batch, vt, mrc, bad, fail, reserved, duration, window, until, cap, profile,
                            spread) -> None:
    data = {"title": "sqs", "profile": profile, "account_concurrency": 200,
            "function": {"Timeout": 60, "ReservedConcurrentExecutions": reserved,
                         "behavior": {"duration": duration, "report_failures": [f"m{i}" for i in bad if i <= n],
                                      "fail_records": [f"m{i}" for i in fail if i <= n]}},
            "trigger": {"type": "sqs", "BatchSize": batch, "FunctionResponseTypes": ["ReportBatchItemFailures"],
                        "MaximumBatchingWindowInSeconds": window,
                        "Queue": {"VisibilityTimeout": max(vt, 60),
                                  "RedrivePolicy": {"deadLetterTargetArn": "sqs:dlq", "maxReceiveCount": mrc}}},
            "inputs": [{"at": k * spread, "count": n, "prefix": f"m{k}_" if k else "m"} for k in range(2)]}
    if until is not None:
        data["until"] = until
    if cap is not None:
        data["max_invocations"] = cap
    check(lambda: scenario_from_dict(data))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 30), batch=st.integers(1, 6), retries=st.integers(-1, 3), bisect=st.booleans(),
       poison=st.sets(st.integers(1, 30), max_size=3), shards=st.integers(1, 3), pf=st.integers(1, 3),
       kind=st.sampled_from(["kinesis", "dynamodb"]), until=st.one_of(st.none(), st.integers(1, 60)))
def test_lean_stream_generated(n, batch, retries, bisect, poison, shards, pf, kind, until) -> None:
    data = {"title": "stream", "until": until if until is not None else 3600,
            "function": {"behavior": {"duration": 2, "fail_records": [f"r{i}" for i in poison if i <= n]}},
            "trigger": {"type": kind, "StartingPosition": "TRIM_HORIZON", "BatchSize": batch,
                        "MaximumRetryAttempts": retries, "BisectBatchOnFunctionError": bisect,
                        "ParallelizationFactor": pf,
                        "Stream": {"ShardCount": shards}, "DestinationConfig": {"OnFailure": {"Destination": "sqs:d"}}},
            "inputs": [{"at": 0, "count": n, "prefix": "r"}]}
    check(lambda: scenario_from_dict(data))


@pytest.mark.parametrize("ttype, extra, trigger", [
    ("sqs", {}, {"type": "sqs"}),
    ("sqs", {"body": {"k": 1}, "attributes": {"a": "b"}, "delay": 2}, {"type": "sqs"}),
    ("kinesis", {"shard": 1}, {"type": "kinesis", "StartingPosition": "TRIM_HORIZON", "Stream": {"ShardCount": 2}}),
    ("dynamodb", {"event": "MODIFY"}, {"type": "dynamodb", "StartingPosition": "TRIM_HORIZON"}),
])
def test_count_inputs_are_stamped_as_checking_each_would_make_them(ttype, extra, trigger) -> None:
    """A `count` input checks its first three inputs in full and stamps the rest: the same dicts, keys in order."""
    from study.sim import yaml_positions
    from study.sim.scenario.checker import Checker
    from study.sim.scenario.inputs import add_input

    data = {"title": "t", "function": {"behavior": {}}, "trigger": trigger,
            "inputs": [{"at": 1, "id": "x", **extra}, {"at": 0, "count": 6, "prefix": "m", **extra}]}
    got = scenario_from_dict(data).inputs
    c = Checker("<generated>", yaml_positions.Marks())
    trig = scenario_from_dict(data).trigger
    want: list[dict] = []
    base = dict(extra)
    for k in range(1, 7):  # index 0 is x (it sorts last: it is sent at t = 1)
        one = dict(base, id=f"m{k}", at_ms=0, index=k, _where=("inputs", 1))
        add_input(c, one, set(), one["_where"], ttype, trig, want)
    assert [list(x.items()) for x in got[:6]] == [list(x.items()) for x in want]
    assert got[6]["id"] == "x"
