"""Every event handed to a handler validates against aws-lambda-powertools' parser models (AWS's shapes)."""

from __future__ import annotations

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    AlbModel,
    DynamoDBStreamLambdaOnFailureDestinationModel,
    DynamoDBStreamModel,
    EventBridgeModel,
    KinesisDataStreamModel,
    S3Model,
    SnsModel,
    SqsModel,
)

from study.sim.run import simulate
from study.sim.scenario.load import parse_scenario


def run(text: str) -> dict:
    return simulate(parse_scenario(text, "payloads.yaml"))


SCENARIOS = {
    "sqs": (SqsModel, """
title: sqs
trigger: {type: sqs, BatchSize: 3}
inputs:
  - {at: 0, id: m1, body: hello, attributes: {color: red, size: 3}}
  - {at: 0, id: m2, body: {json: true}}
"""),
    "sqs-fifo": (SqsModel, """
title: fifo
trigger: {type: sqs, Queue: {FifoQueue: true}}
inputs:
  - {at: 0, id: m1, body: a, group: g1}
  - {at: 0, id: m2, body: b, group: g1, dedup_id: d2}
"""),
    "kinesis": (KinesisDataStreamModel, """
title: kinesis
trigger: {type: kinesis, StartingPosition: TRIM_HORIZON, Stream: {ShardCount: 2}}
inputs:
  - {at: 0, id: r1, partition_key: a, data: "Hello, this is a test."}
  - {at: 0, id: r2, partition_key: b}
"""),
    "dynamodb": (DynamoDBStreamModel, """
title: ddb
trigger: {type: dynamodb, StartingPosition: TRIM_HORIZON}
inputs:
  - {at: 0, id: i1, event: INSERT, item: {id: "101", n: 5, tags: [a, b], ok: true, nested: {x: 1}, gone: null}}
  - {at: 0, id: i2, event: MODIFY}
  - {at: 0, id: i3, event: REMOVE}
"""),
    "s3": (S3Model, """
title: s3
trigger: {type: s3, Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
inputs:
  - {at: 0, id: o1, op: put, key: "photos/red flower.jpg", size: 1024}
  - {at: 1, id: o2, op: delete, key: "photos/red flower.jpg"}
  - {at: 2, id: o3, op: multipart, key: "big.bin", size: 99999999}
"""),
    "s3-versioned": (S3Model, """
title: s3v
trigger: {type: s3, Versioning: true, Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
inputs:
  - {at: 0, id: o1, op: copy, key: a.txt, size: 1}
  - {at: 1, id: o2, op: delete, key: a.txt}
"""),
    "sns": (SnsModel, """
title: sns
trigger: {type: sns, TopicName: orders}
inputs:
  - {at: 0, id: n1, message: "order 7", subject: shipping, attributes: {kind: order, n: 2, tags: [x, y]}}
  - {at: 0, id: n2, message: {as: json}}
"""),
    "eventbridge": (EventBridgeModel, """
title: eb
trigger: {type: eventbridge, EventPattern: {source: [my.app]}}
inputs:
  - {at: 0, id: e1, source: my.app, detail-type: Order Placed, detail: {id: 1}}
"""),
    "schedule": (EventBridgeModel, """
title: sched
until: 120
trigger: {type: schedule, ScheduleExpression: "rate(1 minute)"}
"""),
    "alb": (AlbModel, """
title: alb
trigger: {type: alb}
inputs:
  - {at: 0, id: r1, method: GET, path: "/a?x=1&x=2"}
  - {at: 0, id: r2, method: POST, path: /b, headers: [[Content-Type, application/octet-stream]], body: "\\u0001\\u0002"}
  - {at: 0, id: r3, method: POST, path: /c, headers: [[Content-Type, "application/json; charset=utf-8"]], body: "{}"}
"""),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_events_validate_against_powertools_models(name: str) -> None:
    model, text = SCENARIOS[name]
    trace = run(text)
    assert trace["invocations"], "the scenario should invoke the function"
    for inv in trace["invocations"]:
        if name in ("eventbridge", "schedule"):
            model.model_validate(inv["event"])
        else:
            parsed = model.model_validate(inv["event"])
            assert parsed is not None


def test_multi_value_alb_events_carry_only_the_renamed_fields() -> None:
    trace = run("""
title: alb mv
trigger: {type: alb, MultiValueHeaders: true}
inputs: [{at: 0, id: r1, method: GET, path: "/a?x=1&x=2", headers: [[Cookie, a], [Cookie, b]]}]
""")
    event = trace["invocations"][0]["event"]
    assert "headers" not in event and "queryStringParameters" not in event
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"]}
    assert event["multiValueHeaders"]["cookie"] == ["a", "b"]
    # Apart from the renamed fields it is the same document AlbModel describes.
    flat = dict(event, headers={k: v[-1] for k, v in event["multiValueHeaders"].items()},
                queryStringParameters={k: v[-1] for k, v in event["multiValueQueryStringParameters"].items()})
    for key in ("multiValueHeaders", "multiValueQueryStringParameters"):
        flat.pop(key)
    AlbModel.model_validate(flat)


def test_dynamodb_on_failure_records_validate_after_function_errors() -> None:
    trace = run("""
title: ddb fail
function: {behavior: {fail: always}}
trigger: {type: dynamodb, StartingPosition: TRIM_HORIZON, MaximumRetryAttempts: 1,
          DestinationConfig: {OnFailure: {Destination: "sqs:ddb-fail"}}}
inputs: [{at: 0, id: i1}, {at: 0, id: i2}]
""")
    (delivery,) = trace["deliveries"]
    record = DynamoDBStreamLambdaOnFailureDestinationModel.model_validate(delivery["message"])
    assert record.request_context.condition == "RetryAttemptsExhausted"
    assert record.request_context.approximate_invoke_count == 2
    assert record.ddb_stream_batch_info.batch_size == 2
    assert record.response_context.function_error == "Unhandled"


def test_kinesis_on_failure_records_carry_kinesis_batch_info() -> None:
    trace = run("""
title: kinesis fail
function: {behavior: {fail: always}}
trigger: {type: kinesis, StartingPosition: TRIM_HORIZON, MaximumRetryAttempts: 0,
          DestinationConfig: {OnFailure: {Destination: "sns:k-fail"}}}
inputs: [{at: 0, id: r1}, {at: 5, id: r2}]
""")
    info = trace["deliveries"][0]["message"]["KinesisBatchInfo"]
    assert set(info) == {"shardId", "startSequenceNumber", "endSequenceNumber", "approximateArrivalOfFirstRecord",
                         "approximateArrivalOfLastRecord", "batchSize", "streamArn"}
    assert info["streamArn"] == "arn:aws:kinesis:us-east-1:123456789012:stream/demo-stream"
    assert "DDBStreamBatchInfo" not in trace["deliveries"][0]["message"]
    # DynamoDB's model describes the same fields under its own key: Kinesis records validate with it renamed.
    renamed = dict(trace["deliveries"][0]["message"])
    renamed["DDBStreamBatchInfo"] = renamed.pop("KinesisBatchInfo")
    DynamoDBStreamLambdaOnFailureDestinationModel.model_validate(renamed)


def test_s3_keys_are_url_encoded_and_alb_bodies_follow_the_content_type() -> None:
    trace = run(SCENARIOS["s3"][1])
    assert trace["invocations"][0]["event"]["Records"][0]["s3"]["object"]["key"] == "photos/red+flower.jpg"
    assert trace["invocations"][1]["event"]["Records"][0]["eventName"] == "ObjectRemoved:Delete"
    alb = run(SCENARIOS["alb"][1])
    events = {inv["inputs"][0]: inv["event"] for inv in alb["invocations"]}
    assert events["r1"]["body"] == "" and events["r1"]["isBase64Encoded"] is False
    assert events["r2"]["isBase64Encoded"] is True and events["r2"]["body"] == "AQI="
    assert events["r3"]["isBase64Encoded"] is False and events["r3"]["body"] == "{}"
