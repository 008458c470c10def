"""The SQS event source mapping's rules: the queue, the mapping's settings and each message sent (sqs.*,
docs/emulator.md §7). Its behaviour, the pollers, is study/sim/sqs.py beside this module."""

from __future__ import annotations

import json

from study.sim.scenario.arns import arn_kind
from study.sim.scenario.checker import Checker, TriggerRules
from study.sim.scenario.defaults import ACCOUNT, LIMITS, REGION
from study.sim.scenario.destinations import check_destinations

MAPPING_KEYS = frozenset({"Queue", "BatchSize", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes",
                          "ScalingConfig"})
# Settings of stream mappings that an SQS mapping does not have.
STREAM_ONLY = (
    "BisectBatchOnFunctionError", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "ParallelizationFactor",
    "StartingPosition", "StartingPositionTimestamp", "TumblingWindowInSeconds",
)
HINTS = {key: (f"{key}: not a setting of an SQS event source mapping (InvalidParameterValueException: "
               f"Unsupported {key} parameter for given event source mapping type); it applies to "
               "Kinesis and DynamoDB streams only") for key in STREAM_ONLY}
HINTS["DestinationConfig"] = (
    "DestinationConfig: SQS event source mappings have no on-failure destination; configure a "
    "RedrivePolicy (dead-letter queue) on the queue itself (InvalidParameterValueException: Unsupported "
    "DestinationConfig parameter for given event source mapping type)")


def check_trigger(c: Checker, raw: dict, p: tuple, function: dict) -> dict:
    q = c.mapping(raw.get("Queue"), (*p, "Queue"), "Queue")
    qp = (*p, "Queue")
    c.unknown(q, {"FifoQueue", "VisibilityTimeout", "DelaySeconds", "RedrivePolicy", "QueueName"}, qp, "Queue")
    fifo = c.boolean(q, "FifoQueue", qp, False)
    name = c.string(q, "QueueName", qp, "demo-queue.fifo" if fifo else "demo-queue")
    if fifo and not name.endswith(".fifo"):
        raise c.fail((*qp, "QueueName"), "QueueName: a FIFO queue's name must end in .fifo")
    vt = c.setting(q, "VisibilityTimeout", qp, "sqs.VisibilityTimeout", "visibilityTimeout")
    delay = c.setting(q, "DelaySeconds", qp, "sqs.DelaySeconds", "delaySeconds")
    rp = q.get("RedrivePolicy")
    redrive = None
    if rp is not None:
        rp = c.mapping(rp, (*qp, "RedrivePolicy"), "RedrivePolicy")
        c.unknown(rp, {"deadLetterTargetArn", "maxReceiveCount"}, (*qp, "RedrivePolicy"), "RedrivePolicy")
        if "deadLetterTargetArn" not in rp:
            raise c.fail((*qp, "RedrivePolicy"), "RedrivePolicy: deadLetterTargetArn is required")
        target = c.destination(rp["deadLetterTargetArn"], (*qp, "RedrivePolicy", "deadLetterTargetArn"),
                               "deadLetterTargetArn")
        if arn_kind(target) != "sqs":
            raise c.fail((*qp, "RedrivePolicy", "deadLetterTargetArn"),
                         "deadLetterTargetArn: a queue's dead-letter queue must be another SQS queue")
        if target.endswith(".fifo") != fifo:
            raise c.fail((*qp, "RedrivePolicy", "deadLetterTargetArn"),
                         "deadLetterTargetArn: the dead-letter queue of a FIFO queue must be FIFO, and of a "
                         "standard queue standard (InvalidParameterValue)")
        mrc = c.setting(rp, "maxReceiveCount", (*qp, "RedrivePolicy"), "sqs.maxReceiveCount", required=True)
        redrive = {"deadLetterTargetArn": target, "maxReceiveCount": mrc}
    rules = c.profile_rules
    batch_limit = "sqs.BatchSize.fifo" if fifo else rules.sqs_batch_limit
    lo, hi, d = LIMITS[batch_limit]
    batch = raw.get("BatchSize", d)
    if isinstance(batch, int) and not isinstance(batch, bool) and batch > hi:
        if fifo and batch <= 10000:
            raise c.fail((*p, "BatchSize"), f"BatchSize: {batch} is too large for a FIFO queue; expected 1..10 "
                         "(InvalidParameterValueException: Maximum batch size for FIFO queues is 10)")
        if not fifo and rules.sqs_batch_note and batch <= 10000:
            raise c.fail((*p, "BatchSize"), f"BatchSize: {batch} is out of range 1..{hi} {rules.sqs_batch_note}")
    batch = c.setting(raw, "BatchSize", p, batch_limit, "batchSize")
    window = c.setting(raw, "MaximumBatchingWindowInSeconds", p, "sqs.MaximumBatchingWindowInSeconds",
                       "maximumBatchingWindowInSeconds")
    if fifo and window:
        raise c.fail((*p, "MaximumBatchingWindowInSeconds"),
                     "MaximumBatchingWindowInSeconds: batching windows apply to standard queues only "
                     "(InvalidParameterValueException: Batching window is not supported for FIFO queues)")
    if batch > 10 and window < 1:
        raise c.fail((*p, "BatchSize"), f"BatchSize: {batch} needs MaximumBatchingWindowInSeconds of at least 1 "
                     "(InvalidParameterValueException: Maximum batch window in seconds must be greater than 0 if "
                     "maximum batch size is greater than 10)")
    frt = check_response_types(c, raw, p)
    sc = c.mapping(raw.get("ScalingConfig"), (*p, "ScalingConfig"), "ScalingConfig")
    c.unknown(sc, {"MaximumConcurrency"}, (*p, "ScalingConfig"), "ScalingConfig")
    maxc = c.setting(sc, "MaximumConcurrency", (*p, "ScalingConfig"), "sqs.MaximumConcurrency", "maximumConcurrency")
    if vt < function["Timeout"]:
        raise c.fail((*qp, "VisibilityTimeout") if "VisibilityTimeout" in q else qp,
                     f"VisibilityTimeout: {vt} is shorter than the function's Timeout of {function['Timeout']} "
                     f"(InvalidParameterValueException: Queue visibility timeout: {vt} seconds is less than "
                     f"Function timeout: {function['Timeout']} seconds)")
    effective_vt = vt
    if window > 0 and window + function["Timeout"] > vt:
        effective_vt = window + function["Timeout"] + 30  # sqs.visibility-timeout
    out = {
        "Queue": {"QueueName": name, "FifoQueue": fifo, "VisibilityTimeout": vt, "DelaySeconds": delay,
                  "RedrivePolicy": redrive, "QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"},
        "BatchSize": batch, "MaximumBatchingWindowInSeconds": window, "FunctionResponseTypes": frt,
        "ScalingConfig": {"MaximumConcurrency": maxc}, "effective_visibility_timeout": effective_vt,
    }
    if "sqs-bisect" in c.misconceptions:
        out["BisectBatchOnFunctionError"] = c.boolean(raw, "BisectBatchOnFunctionError", p, False)
    if "sqs-destination" in c.misconceptions and raw.get("DestinationConfig") is not None:
        out["DestinationConfig"] = check_destinations(c, raw.get("DestinationConfig"), (*p, "DestinationConfig"),
                                                      ("sqs", "sns"), "esm")
    return out


def check_response_types(c: Checker, raw: dict, p: tuple) -> list:
    frt = raw.get("FunctionResponseTypes", [])
    if frt is None:
        frt = []
    if not isinstance(frt, list) or any(x != "ReportBatchItemFailures" for x in frt):
        raise c.fail((*p, "FunctionResponseTypes"), "FunctionResponseTypes: expected [ReportBatchItemFailures] or [] "
                     "(ValidationException: Member must satisfy enum value set: [ReportBatchItemFailures])")
    return list(frt)


def check_input(c: Checker, one: dict, p: tuple, trigger: dict) -> None:
    fifo = trigger["Queue"]["FifoQueue"]
    if fifo and one.get("group") is None:
        raise c.fail(p, "group: a message sent to a FIFO queue needs a MessageGroupId "
                     "(MissingParameter: The request must contain the parameter MessageGroupId.)")
    if not fifo and one.get("group") is not None:
        raise c.fail((*p, "group"), "group: MessageGroupId is for FIFO queues only")
    if fifo and one.get("delay") is not None:
        raise c.fail((*p, "delay"), "delay: FIFO queues do not support per-message timers; set DelaySeconds "
                     "on the queue instead")
    one["delay_ms"] = c.seconds(one, "delay", p, None, 0, 900)
    if "body" not in one:
        one["body"] = one["id"]
    elif not isinstance(one["body"], str):
        one["body"] = json.dumps(one["body"], separators=(",", ":"))
    attrs = one.get("attributes")
    if attrs is not None and not isinstance(attrs, dict):
        raise c.fail((*p, "attributes"), "attributes: expected a mapping of message attributes")


RULES = TriggerRules(
    keys=MAPPING_KEYS, check=check_trigger,
    input_keys=frozenset({"at", "id", "body", "group", "dedup_id", "delay", "count", "prefix", "attributes"}),
    check_input=check_input, hints=HINTS,
    misconception_keys={"sqs-bisect": frozenset({"BisectBatchOnFunctionError"}),
                        "sqs-destination": frozenset({"DestinationConfig"})})
