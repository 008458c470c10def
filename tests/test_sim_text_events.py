"""The fast path of `study sim --json` (events rendered as text from templates, study.sim.text_events; a backlog's
messages as ranges, study.sim.bulk_trace) writes the same bytes as the general path: `dumps(simulate(...))`, whose
events are dicts made by study.sim.payloads and whose text is json's own. On SQS standard and FIFO queues with
partial batch responses, message attributes, redrive, Kinesis and DynamoDB streams, generated backlogs the bulk
source takes (with `until` and max_invocations cutting them), and a lab with a real handler (which keeps dicts)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from study.sim.bulk_trace import BulkTraceSqsSource
from study.sim.engine import Engine, dumps
from study.sim.run import simulate, simulate_to, text_source
from study.sim.scenario.load import load_scenario, scenario_from_dict
from study.sim.streams import StreamSource
from study.sim.text_events import TextSqsSource, TextStreamSource

ROOT = Path(__file__).resolve().parent.parent


def streamed(data: dict, every: int = 1000) -> str:
    out = io.StringIO()
    simulate_to(scenario_from_dict(data), out, every)
    return out.getvalue()


def same_bytes(data: dict, source: type) -> None:
    assert type(text_source(Engine(scenario_from_dict(data)))) is source
    want = dumps(simulate(scenario_from_dict(data)))
    for every in (3, 1000):
        assert streamed(data, every) == want, every


def sqs(queue: dict | None = None, **trigger) -> dict:
    return {"type": "sqs", "BatchSize": 4, "Queue": {"VisibilityTimeout": 5, **(queue or {})}, **trigger}


CASES = {
    "standard, partial batch responses, redrive": ({
        "title": "partial", "function": {"behavior": {"duration": 0.5, "report_failures": ["m2", "m7"],
                                                      "fail_records": {"m9": 1}}},
        "trigger": sqs({"RedrivePolicy": {"maxReceiveCount": 2, "deadLetterTargetArn":
                                          "arn:aws:sqs:us-east-1:123456789012:dlq"}},
                       FunctionResponseTypes=["ReportBatchItemFailures"]),
        "inputs": [{"at": 0, "count": 12, "prefix": "m"},
                   {"at": 1, "id": "a1", "body": "é \"quoted\" %s \u2028", "attributes": {"n": 3, "s": "x"}}]},
        TextSqsSource),
    "FIFO, partial batch responses": ({
        "title": "fifo", "function": {"behavior": {"duration": 0.5, "report_failures": {"f3": 1}}},
        "trigger": sqs({"FifoQueue": True}, FunctionResponseTypes=["ReportBatchItemFailures"]),
        "inputs": [{"at": 0, "count": 6, "prefix": "f", "group": "g1"},
                   {"at": 0.2, "count": 3, "prefix": "h", "group": "g2", "dedup_id": "d"}]}, TextSqsSource),
    "backlog with attributes, in bulk": ({
        "title": "bulk", "function": {"behavior": {"duration": 0.2}, "idle_ttl": 1},
        "trigger": sqs(),
        "inputs": [{"at": 0, "count": 30, "prefix": "m"}, {"at": 0, "id": "x", "body": "ü%", "attributes": {"k": 1}},
                   {"at": 70, "count": 9000, "prefix": "n"}]}, BulkTraceSqsSource),
    "kinesis": ({
        "title": "kinesis", "function": {"behavior": {"duration": 0.3, "fail_records": {"k4": 1}}},
        "trigger": {"type": "kinesis", "BatchSize": 3, "StartingPosition": "TRIM_HORIZON",
                    "Stream": {"ShardCount": 2}},
        "inputs": [{"at": 0, "count": 10, "prefix": "k", "shard": 0},
                   {"at": 0.5, "id": "p", "partition_key": "é\"k", "data": "données %"}]}, TextStreamSource),
    "dynamodb": ({
        "title": "ddb", "function": {"behavior": {"duration": 0.3}},
        "trigger": {"type": "dynamodb", "BatchSize": 2, "StartingPosition": "TRIM_HORIZON"},
        "inputs": [{"at": 0, "count": 5, "prefix": "d"}]}, TextStreamSource),
}


@pytest.mark.parametrize("name", CASES)
def test_text_events_write_the_general_paths_bytes(name: str) -> None:
    data, source = CASES[name]
    same_bytes(data, source)


def test_a_real_handler_gets_dict_events() -> None:
    """A case whose function is real code reading its Kinesis event: its source is the usual one, with dicts."""
    path = ROOT / "tests/cases/ours/kinesis-event-ids-handler.yaml"
    scenario = load_scenario(path)
    assert scenario.handler
    assert type(text_source(Engine(scenario))) is StreamSource
    out = io.StringIO()
    simulate_to(load_scenario(path), out)
    assert out.getvalue() == dumps(simulate(load_scenario(path)))


times = st.integers(0, 3000).map(lambda ms: ms / 1000)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sends=st.lists(st.tuples(st.integers(0, 200), st.integers(1, 300)), min_size=1, max_size=4),
       batch=st.integers(1, 10), duration=times, init=st.integers(0, 2000).map(lambda ms: ms / 1000),
       idle=st.integers(0, 30), profile=st.sampled_from(["exam", "aws"]), maxc=st.one_of(st.none(), st.integers(2, 40)),
       until=st.one_of(st.none(), st.integers(1, 300)), cap=st.one_of(st.none(), st.integers(1, 200)),
       rbif=st.booleans())
def test_bulk_backlogs_write_the_general_paths_bytes(sends, batch, duration, init, idle, profile, maxc, until, cap,
                                                     rbif) -> None:
    data = {"title": "sqs bulk", "profile": profile, "account_concurrency": 2000,
            "function": {"Timeout": 30, "init_duration": init, "idle_ttl": idle, "behavior": {"duration": duration}},
            "trigger": sqs({"VisibilityTimeout": 30}, BatchSize=batch,
                           FunctionResponseTypes=["ReportBatchItemFailures"] if rbif else []),
            "inputs": [{"at": at, "count": n, "prefix": f"m{k}_"} for k, (at, n) in enumerate(sends)]}
    if maxc is not None:
        data["trigger"]["ScalingConfig"] = {"MaximumConcurrency": maxc}
    if until is not None:
        data["until"] = until
    if cap is not None:
        data["max_invocations"] = cap
    same_bytes(data, BulkTraceSqsSource)
