"""The Kinesis and DynamoDB stream event source mappings' rules: the stream, the mapping's settings and each
record written (streams.*, docs/emulator.md §6). Their behaviour, the shard pollers, is study/sim/streams.py
beside this module."""

from __future__ import annotations

from study.sim.scenario.checker import Checker, TriggerRules
from study.sim.scenario.defaults import ACCOUNT, MS, RECORD_AGE_MIN, REGION
from study.sim.scenario.destinations import allowed_kinds, check_destinations
from study.sim.sqs_config import check_response_types

KINESIS_KEYS = frozenset({
    "Stream", "BatchSize", "StartingPosition", "StartingPositionTimestamp", "BisectBatchOnFunctionError",
    "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "ParallelizationFactor",
    "MaximumBatchingWindowInSeconds", "FunctionResponseTypes", "DestinationConfig", "mapping_at",
})
KINESIS_INPUT_KEYS = frozenset({"at", "id", "partition_key", "data", "shard", "count", "prefix"})


def _check(c: Checker, raw: dict, p: tuple, ttype: str) -> dict:
    s = c.mapping(raw.get("Stream"), (*p, "Stream"), "Stream")
    sp = (*p, "Stream")
    keys = {"ShardCount", "RetentionPeriodHours", "StreamName"} if ttype == "kinesis" else {"ShardCount", "TableName"}
    hint = {"RetentionPeriodHours": "RetentionPeriodHours: a DynamoDB stream keeps records for a fixed 24 hours"}
    c.unknown(s, keys, sp, "Stream", hint)
    shards = c.setting(s, "ShardCount", sp, "ShardCount")
    if ttype == "kinesis":
        retention = c.setting(s, "RetentionPeriodHours", sp, "kinesis.RetentionPeriodHours", "retentionPeriodHours")
        name = c.string(s, "StreamName", sp, "demo-stream")
        arn = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{name}"
    else:
        retention = 24
        name = c.string(s, "TableName", sp, "demo-table")
        arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}/stream/2026-01-01T00:00:00.000"
    batch = c.setting(raw, "BatchSize", p, "stream.BatchSize", "batchSize")
    positions = ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP") if ttype == "kinesis" else ("TRIM_HORIZON", "LATEST")
    if "StartingPosition" not in raw:
        raise c.fail(p, "StartingPosition: required for a stream mapping (InvalidParameterValueException: "
                     "StartingPosition must be provided for stream event sources); expected "
                     + " or ".join(positions))
    if ttype == "dynamodb" and raw.get("StartingPosition") == "AT_TIMESTAMP":
        raise c.fail((*p, "StartingPosition"), "StartingPosition: AT_TIMESTAMP is for Kinesis only; a DynamoDB "
                     "stream takes TRIM_HORIZON or LATEST (InvalidParameterValueException: Unsupported starting "
                     "position for DynamoDB streams)")
    position = c.string(raw, "StartingPosition", p, None, positions)
    ts = raw.get("StartingPositionTimestamp")
    if position == "AT_TIMESTAMP":
        if ts is None or isinstance(ts, bool) or not isinstance(ts, int | float):
            raise c.fail((*p, "StartingPosition"), "StartingPositionTimestamp: required with AT_TIMESTAMP "
                         "(Unix seconds)")
    elif ts is not None:
        raise c.fail((*p, "StartingPositionTimestamp"), "StartingPositionTimestamp: only with AT_TIMESTAMP")
    bisect = c.boolean(raw, "BisectBatchOnFunctionError", p, False)
    retries = c.setting(raw, "MaximumRetryAttempts", p, "stream.MaximumRetryAttempts", "maximumRetryAttempts")
    age = c.setting(raw, "MaximumRecordAgeInSeconds", p, "stream.MaximumRecordAgeInSeconds",
                    "maximumRecordAgeInSeconds")
    if 0 <= age < RECORD_AGE_MIN:
        raise c.fail((*p, "MaximumRecordAgeInSeconds"),
                     f"MaximumRecordAgeInSeconds: {age} is not allowed; expected -1 (no limit) or 60..604800 "
                     "(InvalidParameterValueException: The minimum valid value for maximum record age is 60s)")
    pf = c.setting(raw, "ParallelizationFactor", p, "stream.ParallelizationFactor", "parallelizationFactor")
    window = c.setting(raw, "MaximumBatchingWindowInSeconds", p, "stream.MaximumBatchingWindowInSeconds",
                       "maximumBatchingWindowInSeconds")
    frt = check_response_types(c, raw, p)
    allowed = allowed_kinds(c, ("sqs", "sns"))
    dest = check_destinations(c, raw.get("DestinationConfig"), (*p, "DestinationConfig"), allowed, "esm")
    mapping_at = c.seconds(raw, "mapping_at", p, 0, 0)
    return {
        "Stream": {"ShardCount": shards, "RetentionPeriodHours": retention, "StreamArn": arn},
        "BatchSize": batch, "StartingPosition": position, "StartingPositionTimestamp": ts,
        "BisectBatchOnFunctionError": bisect, "MaximumRetryAttempts": retries,
        "MaximumRecordAgeInSeconds": age, "ParallelizationFactor": pf,
        "MaximumBatchingWindowInSeconds": window, "FunctionResponseTypes": frt,
        "DestinationConfig": dest, "mapping_at": mapping_at / MS,
    }


def check_kinesis(c: Checker, raw: dict, p: tuple, function: dict) -> dict:
    return _check(c, raw, p, "kinesis")


def check_dynamodb(c: Checker, raw: dict, p: tuple, function: dict) -> dict:
    return _check(c, raw, p, "dynamodb")


def check_record(c: Checker, one: dict, p: tuple, trigger: dict) -> None:
    iid = one["id"]
    shard = one.get("shard")
    if shard is not None:
        count = trigger["Stream"]["ShardCount"]
        if isinstance(shard, bool) or not isinstance(shard, int) or not 0 <= shard < count:
            raise c.fail((*p, "shard"), f"shard: expected a shard index 0..{count - 1}")
    one.setdefault("partition_key", iid)
    one["partition_key"] = str(one["partition_key"])
    one.setdefault("data", iid)


def check_dynamodb_record(c: Checker, one: dict, p: tuple, trigger: dict) -> None:
    check_record(c, one, p, trigger)
    one["event"] = c.string(one, "event", p, "INSERT", ("INSERT", "MODIFY", "REMOVE"))
    item = one.get("item")
    if item is None:
        item = {"id": one["id"]}
    if not isinstance(item, dict):
        raise c.fail((*p, "item"), "item: expected a mapping of attributes")
    one["item"] = item
    old = one.get("old_item")
    if old is not None:
        # Ours: the item before a MODIFY (without it, the old image repeats `item`).
        if one["event"] != "MODIFY":
            raise c.fail((*p, "old_item"), "old_item: only a MODIFY has an item before the change")
        if not isinstance(old, dict):
            raise c.fail((*p, "old_item"), "old_item: expected a mapping of attributes")


KINESIS = TriggerRules(keys=KINESIS_KEYS, check=check_kinesis, input_keys=KINESIS_INPUT_KEYS,
                       check_input=check_record)
DYNAMODB = TriggerRules(keys=KINESIS_KEYS, check=check_dynamodb,
                        input_keys=KINESIS_INPUT_KEYS | {"event", "item", "old_item"},
                        check_input=check_dynamodb_record)
