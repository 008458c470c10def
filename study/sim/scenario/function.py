"""The function: its configuration in AWS's names (memory, timeout, reserved concurrency, DLQ, role, resource
policy) and the scripted `behavior` a scenario gives it instead of code."""

from __future__ import annotations

import re
from typing import Any

from study.sim.scenario.arns import arn_kind
from study.sim.scenario.checker import Checker, show
from study.sim.scenario.defaults import ACCOUNT, MS, REGION
from study.sim.scenario.model import Behavior
from study.sim.scenario.permission_checks import check_resource_policy, check_role

FUNCTION_KEYS = {
    "FunctionName", "MemorySize", "Timeout", "ReservedConcurrentExecutions", "DeadLetterConfig", "init_duration",
    "idle_ttl", "behavior", "handler", "Role", "ResourcePolicy",
}
BEHAVIOR_KEYS = {"duration", "duration_per_record", "fail", "fail_attempts", "fail_records", "report_failures",
                 "returns"}
FAIL_MODES = ("never", "always")


def check_function(c: Checker, raw: dict, account: int, ttype: str) -> tuple[dict, Behavior, str | None]:
    p = ("function",)
    c.unknown(raw, FUNCTION_KEYS, p, "function")
    name = c.string(raw, "FunctionName", p, "demo")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name):
        raise c.fail((*p, "FunctionName"), f"FunctionName: {name!r} must be 1-64 letters, digits, - or _ "
                     "(ValidationException: Member must satisfy regular expression pattern)")
    memory = c.setting(raw, "MemorySize", p, "MemorySize", "memorySize")
    timeout = c.setting(raw, "Timeout", p, "Timeout", "timeout")
    reserved = c.integer(raw, "ReservedConcurrentExecutions", p, None, 0, None, "reservedConcurrentExecutions")
    if reserved is not None and reserved > account - 100:
        raise c.fail((*p, "ReservedConcurrentExecutions"),
                     f"ReservedConcurrentExecutions: {reserved} leaves fewer than 100 of the account's {account} "
                     "unreserved (InvalidParameterValueException: Specified ReservedConcurrentExecutions for "
                     "function decreases account's UnreservedConcurrentExecution below its minimum value of [100].)")
    dlq_raw = c.mapping(raw.get("DeadLetterConfig"), (*p, "DeadLetterConfig"), "DeadLetterConfig")
    c.unknown(dlq_raw, {"TargetArn"}, (*p, "DeadLetterConfig"), "DeadLetterConfig")
    dlq = None
    if dlq_raw.get("TargetArn") is not None:
        dlq = c.destination(dlq_raw["TargetArn"], (*p, "DeadLetterConfig", "TargetArn"), "TargetArn")
        if arn_kind(dlq) not in ("sqs", "sns"):
            raise c.fail((*p, "DeadLetterConfig", "TargetArn"),
                         "TargetArn: a dead-letter queue is an SQS queue or an SNS topic "
                         "(InvalidParameterValueException: The provided target ARN is not a valid SQS queue or SNS topic)")
        if dlq.endswith(".fifo"):
            raise c.fail((*p, "DeadLetterConfig", "TargetArn"),
                         "TargetArn: a FIFO queue or topic cannot be a function's dead-letter queue")
    init_ms = c.seconds(raw, "init_duration", p, 0, 0, 10)
    idle_ms = c.seconds(raw, "idle_ttl", p, 300 * MS, 0)
    handler = c.string(raw, "handler", p)
    if handler is not None and not re.fullmatch(r".+\.py:[A-Za-z_][A-Za-z0-9_]*", handler):
        raise c.fail((*p, "handler"), f"handler: {handler!r} should be path/to/file.py:function_name")
    behavior = check_behavior(c, c.mapping(raw.get("behavior"), (*p, "behavior"), "behavior"), (*p, "behavior"))
    role = check_role(c, raw.get("Role"), (*p, "Role"))
    policy = check_resource_policy(c, raw.get("ResourcePolicy"), (*p, "ResourcePolicy"))
    function = {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
        "MemorySize": memory,
        "Timeout": timeout,
        "ReservedConcurrentExecutions": reserved,
        "DeadLetterConfig": {"TargetArn": dlq},
        "init_duration": init_ms / MS,
        "idle_ttl": idle_ms / MS,
        "handler": handler,
        "Role": role,
        "ResourcePolicy": policy,
    }
    return function, behavior, handler


def id_counts(c: Checker, value: Any, path: tuple, key: str) -> dict[str, int | None]:
    if value is None:
        return {}
    if isinstance(value, list):
        out: dict[str, int | None] = {}
        for i, item in enumerate(value):
            if not isinstance(item, str | int) or isinstance(item, bool):
                raise c.fail((*path, i), f"{key}: expected input ids, got {show(item)}")
            out[str(item)] = None
        return out
    if isinstance(value, dict):
        out = {}
        for k, n in value.items():
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise c.fail((*path, k), f"{key}.{k}: expected a count of deliveries (1 or more), got {show(n)}")
            out[str(k)] = n
        return out
    raise c.fail(path, f"{key}: expected a list of input ids or a map id: N")


def check_behavior(c: Checker, raw: dict, p: tuple) -> Behavior:
    c.unknown(raw, BEHAVIOR_KEYS, p, "behavior")
    b = Behavior()
    b.duration_ms = c.seconds(raw, "duration", p, 0, 0)
    b.duration_per_record_ms = c.seconds(raw, "duration_per_record", p, 0, 0)
    b.fail = c.string(raw, "fail", p, "never", FAIL_MODES)
    attempts = raw.get("fail_attempts")
    if attempts is not None:
        if not isinstance(attempts, list) or not all(
                isinstance(a, int) and not isinstance(a, bool) and a >= 1 for a in attempts):
            raise c.fail((*p, "fail_attempts"), "fail_attempts: expected a list of attempt numbers (1, 2, ...)")
        b.fail_attempts = frozenset(attempts)
    b.fail_records = id_counts(c, raw.get("fail_records"), (*p, "fail_records"), "fail_records")
    b.report_failures = id_counts(c, raw.get("report_failures"), (*p, "report_failures"), "report_failures")
    if "returns" in raw:
        b.returns = raw["returns"]
        b.has_returns = True
    return b
