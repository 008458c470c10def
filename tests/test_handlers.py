"""Real handlers: the real event, a context object, globals that survive warm starts, Powertools unchanged."""

from __future__ import annotations

from pathlib import Path

from study.sim.run import simulate
from study.sim.scenario.load import parse_scenario

HANDLERS = Path(__file__).resolve().parent / "handlers"


def run(text: str) -> dict:
    return simulate(parse_scenario(text, "test.yaml", HANDLERS))


def test_globals_survive_warm_starts_and_vanish_on_cold_ones() -> None:
    trace = run("""
title: counter
function: {handler: counter.py:handler, idle_ttl: 10}
trigger: {type: sync}
inputs:
  - {at: 0, id: a, payload: {}}
  - {at: 1, id: b, payload: {}}
  - {at: 20, id: c, payload: {}}
""")
    calls = [inv["response"]["calls"] for inv in trace["invocations"]]
    assert calls == [1, 2, 1]  # c comes after the 10 s idle TTL: a new environment, a fresh module
    assert [inv["cold_start"] for inv in trace["invocations"]] == [True, False, True]
    first = trace["invocations"][0]
    assert first["response"]["function"] == "demo"
    assert first["response"]["memory"] == "128"
    assert first["response"]["group"] == "/aws/lambda/demo"
    assert first["response"]["remaining"] == 3000
    assert first["response"]["region"] == "us-east-1"
    assert first["response"]["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:demo"
    streams = {inv["response"]["stream"] for inv in trace["invocations"]}
    assert len(streams) == 2  # one log stream per execution environment
    messages = [entry["message"] for entry in trace["logs"]]
    assert any(m.startswith("init demo") for m in messages)
    assert any(m.startswith("call 2 request ") for m in messages)


def test_an_exception_is_a_function_error_and_async_retries_it() -> None:
    trace = run("""
title: fails
function: {handler: counter.py:fails}
trigger: {type: async}
inputs: [{at: 0, id: e1, payload: {n: 7}}]
""")
    assert [i["start"] for i in trace["invocations"]] == [0, 60, 180]
    error = trace["invocations"][0]["error"]
    assert error["errorType"] == "ValueError" and error["errorMessage"] == "bad input 7"
    assert trace["inputs"]["e1"]["final"] == "dropped"


def test_a_module_that_does_not_import_is_a_runtime_error() -> None:
    trace = run("""
title: broken
function: {handler: broken.py:handler}
trigger: {type: sync}
inputs: [{at: 0, id: a, payload: {}}, {at: 1, id: b, payload: {}}]
""")
    errors = [i["error"]["errorType"] for i in trace["invocations"]]
    assert errors == ["Runtime.UserCodeSyntaxError", "Runtime.UserCodeSyntaxError"]
    assert trace["invocations"][1]["cold_start"] is True  # the runtime was reset: INIT again
    assert trace["http"][0]["headers"]["X-Amz-Function-Error"] == "Unhandled"
    missing = run("""
title: missing
function: {handler: nowhere.py:handler}
trigger: {type: sync}
inputs: [{at: 0, id: a, payload: {}}]
""")
    assert missing["invocations"][0]["error"]["errorType"] == "Runtime.ImportModuleError"


def test_powertools_batch_processor_partial_response_is_honoured_for_sqs() -> None:
    trace = run("""
title: powertools sqs
function: {handler: pt_sqs.py:handler}
trigger: {type: sqs, BatchSize: 3, FunctionResponseTypes: [ReportBatchItemFailures],
          Queue: {RedrivePolicy: {deadLetterTargetArn: "sqs:dlq", maxReceiveCount: 2}}}
inputs:
  - {at: 0, id: m1, body: ok}
  - {at: 0, id: m2, body: bad}
  - {at: 0, id: m3, body: ok}
""")
    first = trace["invocations"][0]
    assert first["status"] == "partial"
    assert first["response"] == {"batchItemFailures": [{"itemIdentifier": first["event"]["Records"][1]["messageId"]}]}
    assert trace["inputs"]["m1"]["final"] == "succeeded"
    assert trace["inputs"]["m3"]["final"] == "succeeded"
    assert trace["inputs"]["m2"]["final"] == "dead_lettered"
    assert trace["inputs"]["m2"]["receive_count"] == 2


def test_powertools_batch_processor_checkpoints_a_kinesis_batch() -> None:
    trace = run("""
title: powertools kinesis
function: {handler: pt_kinesis.py:handler}
trigger: {type: kinesis, StartingPosition: TRIM_HORIZON, BatchSize: 4, MaximumRetryAttempts: 1,
          FunctionResponseTypes: [ReportBatchItemFailures]}
inputs:
  - {at: 0, id: r1, data: ok}
  - {at: 0, id: r2, data: bad}
  - {at: 0, id: r3, data: ok}
""")
    assert [i["inputs"] for i in trace["invocations"]] == [["r1", "r2", "r3"], ["r2", "r3"]]
    assert trace["inputs"]["r1"]["final"] == "succeeded"
    assert trace["inputs"]["r2"]["final"] == "dropped"
    assert trace["inputs"]["r3"]["final"] == "dropped"  # checkpointed before r2: r3 goes with it


def test_powertools_alb_resolver_answers_through_the_alb() -> None:
    trace = run("""
title: powertools alb
function: {handler: pt_alb.py:handler}
trigger: {type: alb}
inputs:
  - {at: 0, id: r1, method: GET, path: "/hello?name=ada"}
  - {at: 1, id: r2, method: GET, path: "/nope"}
""")
    assert trace["http"][0]["status"] == 200
    assert trace["http"][0]["body"] == '{"message":"hello ada"}'
    assert trace["http"][1]["status"] == 404
