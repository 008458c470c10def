"""Scenario files: validated against AWS's names, defaults and ranges, with errors worded as AWS words them."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from study.sim import yamlpos
from study.sim.errors import ScenarioError
from study.sim.misconceptions import KNOWN as KNOWN_MISCONCEPTIONS
from study.sim.misconceptions import Switched
from study.sim.permissions import MANAGED_POLICIES, PULL_ACTIONS, PUSH_PRINCIPALS, SEND_ACTIONS

REGION = "us-east-1"
ACCOUNT = "123456789012"

TRIGGER_TYPES = ("sync", "async", "s3", "schedule", "sns", "eventbridge", "sqs", "kinesis", "dynamodb", "alb")
ASYNC_TYPES = ("async", "s3", "schedule", "sns", "eventbridge")
STREAM_TYPES = ("kinesis", "dynamodb")
PROFILES = ("exam", "aws")
MS = 1000  # the clock counts whole milliseconds

# Ranges that content/rules.yaml also states; tests/test_no_drift.py compares the two.
LIMITS = {
    "MemorySize": (128, 10240, 128),
    "Timeout": (1, 900, 3),
    "async.MaximumRetryAttempts": (0, 2, 2),
    "async.MaximumEventAgeInSeconds": (60, 21600, 21600),
    "stream.BatchSize": (1, 10000, 100),
    "stream.MaximumBatchingWindowInSeconds": (0, 300, 0),
    "stream.MaximumRetryAttempts": (-1, 10000, -1),
    "stream.MaximumRecordAgeInSeconds": (-1, 604800, -1),
    "stream.ParallelizationFactor": (1, 10, 1),
    "stream.TumblingWindowInSeconds": (0, 900, 0),
    "sqs.BatchSize.exam": (1, 10, 10),
    "sqs.BatchSize.aws": (1, 10000, 10),
    "sqs.BatchSize.fifo": (1, 10, 10),
    "sqs.MaximumBatchingWindowInSeconds": (0, 300, 0),
    "sqs.VisibilityTimeout": (0, 43200, 30),
    "sqs.DelaySeconds": (0, 900, 0),
    "sqs.maxReceiveCount": (1, 1000, None),
    "sqs.MaximumConcurrency": (2, 1000, None),
    "kinesis.RetentionPeriodHours": (24, 8760, 24),
    "ShardCount": (1, 100, 1),
}
RECORD_AGE_MIN = 60  # MaximumRecordAgeInSeconds: -1, or 60..604800

FAIL_MODES = ("never", "always")
S3_OPS = {
    "put": "ObjectCreated:Put",
    "post": "ObjectCreated:Post",
    "copy": "ObjectCreated:Copy",
    "multipart": "ObjectCreated:CompleteMultipartUpload",
    "delete": "ObjectRemoved:Delete",
}
DESTINATION_KINDS = {"sqs", "sns", "lambda", "events", "s3"}


def expand_arn(value: str) -> str:
    """`sqs:NAME` and the other short forms of the contract, to full ARNs; ARNs pass unchanged."""
    if value.startswith("arn:"):
        return value
    kind, _, name = value.partition(":")
    if kind == "sqs":
        return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
    if kind == "sns":
        return f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"
    if kind == "lambda":
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    if kind == "events":
        return f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{name}"
    if kind == "s3":
        return f"arn:aws:s3:::{name}"
    raise ValueError(value)


def arn_kind(arn: str) -> str:
    service = arn.split(":")[2]
    return {"sqs": "sqs", "sns": "sns", "lambda": "lambda", "events": "events", "s3": "s3"}.get(service, service)


@dataclass
class Behavior:
    duration_ms: int = 0
    duration_per_record_ms: int = 0
    fail: str = "never"
    fail_attempts: frozenset[int] = frozenset()
    fail_records: dict[str, int | None] = field(default_factory=dict)  # None = always
    report_failures: dict[str, int | None] = field(default_factory=dict)
    returns: Any = None
    has_returns: bool = False


@dataclass
class Scenario:
    """A validated scenario: `function` and `trigger` keep AWS spelling with defaults filled in (as traced)."""

    file: str
    title: str
    section: str | None
    profile: str
    seed: int
    start_time: dt.datetime
    until_ms: int | None
    account_concurrency: int
    strict_permissions: bool
    max_invocations: int
    function: dict[str, Any]
    trigger: dict[str, Any]
    inputs: list[dict[str, Any]]
    behavior: Behavior
    handler: str | None
    base_dir: Path
    misconceptions: frozenset[str] = frozenset()
    lab: dict[str, Any] | None = None
    expect: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return self.trigger["type"]


class _Checker:
    """Walks the raw data with the marks, so each complaint points at the right line and column."""

    def __init__(self, file: str, marks: yamlpos.Marks, profile: str = "exam", misconceptions=frozenset()):
        self.file = file
        self.marks = marks
        self.profile = profile
        self.misconceptions = misconceptions

    def fail(self, path: tuple, message: str) -> ScenarioError:
        where = self.marks.get(path)
        line, col = where if where else (None, None)
        return ScenarioError(message, self.file, line, col)

    def mapping(self, value: Any, path: tuple, what: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(path, f"{what}: expected a mapping, got {_type_name(value)}")
        return value

    def unknown(self, data: dict, allowed: set[str] | tuple, path: tuple, where: str, hint: dict | None = None):
        for key in data:
            if key not in allowed:
                if hint and key in hint:
                    raise self.fail((*path, key), hint[key])
                close = _closest(str(key), allowed)
                extra = f" (did you mean {close}?)" if close else ""
                raise self.fail(
                    (*path, key), f"{key}: not a key of {where}{extra}; expected one of: {', '.join(sorted(allowed))}"
                )

    def integer(self, data: dict, key: str, path: tuple, default, lo=None, hi=None, aws: str | None = None,
                required: bool = False) -> Any:
        if key not in data or data[key] is None:
            if required:
                raise self.fail(path, f"{key}: required")
            return default
        value = data[key]
        p = (*path, key)
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise self.fail(p, f"{key}: expected a whole number, got {_show(value)}")
        self.range(value, key, p, lo, hi, aws)
        return value

    def range(self, value, key, p, lo, hi, aws):
        if lo is not None and value < lo:
            msg = f"{key}: {_show(value)} is out of range {lo}..{hi}"
            if aws:
                msg += (f" (ValidationException: Value '{_show(value)}' at '{aws}' failed to satisfy constraint: "
                        f"Member must have value greater than or equal to {lo})")
            raise self.fail(p, msg)
        if hi is not None and value > hi:
            msg = f"{key}: {_show(value)} is out of range {lo}..{hi}"
            if aws:
                msg += (f" (ValidationException: Value '{_show(value)}' at '{aws}' failed to satisfy constraint: "
                        f"Member must have value less than or equal to {hi})")
            raise self.fail(p, msg)

    def seconds(self, data: dict, key: str, path: tuple, default, lo=None, hi=None) -> int:
        """A time in seconds (at most three decimals), returned as whole milliseconds."""
        if key not in data or data[key] is None:
            return default
        value = data[key]
        p = (*path, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(p, f"{key}: expected a number of seconds, got {_show(value)}")
        if not math.isfinite(value * MS):
            raise self.fail(p, f"{key}: expected a number of seconds, got {_show(value)}")
        ms = round(value * MS)
        if abs(ms - value * MS) > 1e-6:
            raise self.fail(p, f"{key}: {value} has more than three decimals (the clock counts milliseconds)")
        if lo is not None and value < lo:
            raise self.fail(p, f"{key}: {_show(value)} is out of range; expected at least {lo}")
        if hi is not None and value > hi:
            raise self.fail(p, f"{key}: {_show(value)} is out of range; expected at most {hi}")
        return ms

    def boolean(self, data: dict, key: str, path: tuple, default: bool) -> bool:
        if key not in data or data[key] is None:
            return default
        value = data[key]
        if not isinstance(value, bool):
            raise self.fail((*path, key), f"{key}: expected true or false, got {_show(value)}")
        return value

    def string(self, data: dict, key: str, path: tuple, default=None, choices=None, required=False) -> Any:
        if key not in data or data[key] is None:
            if required:
                raise self.fail(path, f"{key}: required")
            return default
        value = data[key]
        if not isinstance(value, str):
            if isinstance(value, int | float) and not isinstance(value, bool) and choices is None:
                value = str(value)
            else:
                raise self.fail((*path, key), f"{key}: expected text, got {_show(value)}")
        if choices is not None and value not in choices:
            raise self.fail((*path, key), f"{key}: {value!r} is not one of {', '.join(choices)}")
        return value

    def destination(self, value: Any, path: tuple, key: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(path, f"{key}: expected a destination such as sqs:NAME or an ARN, got {_show(value)}")
        if value.startswith("arn:"):
            parts = value.split(":")
            if len(parts) < 6 or parts[2] not in DESTINATION_KINDS:
                raise self.fail(path, f"{key}: {value!r} is not an SQS, SNS, Lambda, EventBridge or S3 ARN")
            return value
        kind, sep, name = value.partition(":")
        if not sep or kind not in DESTINATION_KINDS or not name:
            raise self.fail(
                path, f"{key}: {value!r} is not a destination; expected sqs:NAME, sns:NAME, lambda:NAME, "
                "events:NAME, s3:NAME or a full ARN")
        return expand_arn(value)


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number", type(None): "nothing"}.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _closest(word: str, options) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, [str(o) for o in options], n=1, cutoff=0.75)
    return found[0] if found else None


TOP_KEYS = {
    "title", "section", "profile", "seed", "start_time", "until", "account_concurrency", "strict_permissions",
    "function", "trigger", "inputs", "inputs_file", "max_invocations", "expect", "lab",
}
FUNCTION_KEYS = {
    "FunctionName", "MemorySize", "Timeout", "ReservedConcurrentExecutions", "DeadLetterConfig", "init_duration",
    "idle_ttl", "behavior", "handler", "Role", "ResourcePolicy",
}
BEHAVIOR_KEYS = {"duration", "duration_per_record", "fail", "fail_attempts", "fail_records", "report_failures",
                 "returns"}
ASYNC_KEYS = {"MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"}
TRIGGER_KEYS = {
    "sync": set(),
    "async": ASYNC_KEYS,
    "s3": {"Bucket", "Versioning", "Events", "Filter"} | ASYNC_KEYS,
    "schedule": {"ScheduleExpression", "Name", "DeadLetterConfig"} | ASYNC_KEYS,
    "sns": {"TopicName", "FilterPolicy"} | ASYNC_KEYS,
    "eventbridge": {"EventPattern", "EventBusName", "Name", "DeadLetterConfig"} | ASYNC_KEYS,
    "sqs": {"Queue", "BatchSize", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes", "ScalingConfig"},
    "kinesis": {
        "Stream", "BatchSize", "StartingPosition", "StartingPositionTimestamp", "BisectBatchOnFunctionError",
        "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "ParallelizationFactor",
        "MaximumBatchingWindowInSeconds", "FunctionResponseTypes", "DestinationConfig", "mapping_at",
    },
    "alb": {"MultiValueHeaders"},
}
TRIGGER_KEYS["dynamodb"] = TRIGGER_KEYS["kinesis"]
INPUT_KEYS = {
    "sync": {"at", "id", "payload"},
    "async": {"at", "id", "payload"},
    "s3": {"at", "id", "op", "key", "size"},
    "sns": {"at", "id", "message", "subject", "attributes"},
    "eventbridge": {"at", "id", "source", "detail-type", "detail"},
    "sqs": {"at", "id", "body", "group", "dedup_id", "delay", "count", "prefix", "attributes"},
    "kinesis": {"at", "id", "partition_key", "data", "shard", "count", "prefix"},
    "dynamodb": {"at", "id", "partition_key", "data", "shard", "count", "prefix", "event", "item", "old_item"},
    "alb": {"at", "id", "method", "path", "headers", "body"},
}
STREAM_ONLY = {
    "BisectBatchOnFunctionError", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "ParallelizationFactor",
    "StartingPosition", "StartingPositionTimestamp", "TumblingWindowInSeconds",
}


def load_scenario(path: str | Path, misconceptions=frozenset()) -> Scenario:
    """Read, parse and validate a scenario file. Raises ScenarioError (file:line:col) for bad input."""
    path = Path(path)
    data, marks = yamlpos.load_file(str(path))
    return build_scenario(data, marks, str(path), path.resolve().parent, misconceptions)


def parse_scenario(text: str, file: str = "<scenario>", base_dir: Path | None = None,
                   misconceptions=frozenset()) -> Scenario:
    data, marks = yamlpos.load(text, file)
    return build_scenario(data, marks, file, base_dir or Path.cwd(), misconceptions)


def build_scenario(data: Any, marks: yamlpos.Marks, file: str, base_dir: Path,
                   misconceptions=frozenset()) -> Scenario:
    misconceptions = frozenset(misconceptions)
    for m in misconceptions:
        if m not in KNOWN_MISCONCEPTIONS:
            raise ScenarioError(f"unknown misconception {m!r}", file)
    misconceptions = Switched(misconceptions)  # every later `"id" in misconceptions` is checked against KNOWN
    c = _Checker(file, marks, misconceptions=misconceptions)
    top = c.mapping(data, (), "the scenario")
    if data is None:
        raise ScenarioError("the file is empty; expected a scenario with title and trigger", file, 1, 1)
    c.unknown(top, TOP_KEYS, (), "a scenario")
    title = c.string(top, "title", (), required=True)
    section = c.string(top, "section", ())
    profile = c.string(top, "profile", (), "exam", PROFILES)
    c.profile = profile
    seed = c.integer(top, "seed", (), 0, 0, 2**63 - 1)
    start_raw = top.get("start_time", "2026-01-01T00:00:00Z")
    start_time = _parse_time(start_raw, c, ("start_time",))
    until_ms = c.seconds(top, "until", (), None, 0)
    account = c.integer(top, "account_concurrency", (), 1000, 1, 100000)
    strict = c.boolean(top, "strict_permissions", (), False)
    max_inv = c.integer(top, "max_invocations", (), 1_000_000, 1, 10_000_000)

    fn_raw = c.mapping(top.get("function"), ("function",), "function")
    trig_raw = c.mapping(top.get("trigger"), ("trigger",), "trigger")
    if "trigger" not in top:
        raise c.fail((), "trigger: required (one of " + ", ".join(TRIGGER_TYPES) + ")")
    ttype = c.string(trig_raw, "type", ("trigger",), None, TRIGGER_TYPES, required=True)

    function, behavior, handler = _function(c, fn_raw, account, ttype)
    trigger = _trigger(c, trig_raw, ttype, function)
    inputs = _inputs(c, top, ttype, trigger, base_dir)
    lab = top.get("lab")
    if lab is not None:
        _check_lab(c, lab)
    expect = top.get("expect")
    if expect is not None and not isinstance(expect, dict):
        raise c.fail(("expect",), "expect: expected a mapping of expectations")

    scenario = Scenario(
        file=file, title=title, section=section, profile=profile, seed=seed, start_time=start_time,
        until_ms=until_ms, account_concurrency=account, strict_permissions=strict, max_invocations=max_inv,
        function=function, trigger=trigger, inputs=inputs, behavior=behavior, handler=handler,
        base_dir=base_dir, misconceptions=misconceptions, lab=lab, expect=expect, raw=top,
    )
    _check_permissions(c, scenario)
    return scenario


def _parse_time(value: Any, c: _Checker, path: tuple) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise c.fail(path, f"start_time: {value!r} is not an ISO-8601 time such as 2026-01-01T00:00:00Z") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    raise c.fail(path, f"start_time: expected an ISO-8601 time, got {_show(value)}")


def _function(c: _Checker, raw: dict, account: int, ttype: str) -> tuple[dict, Behavior, str | None]:
    p = ("function",)
    c.unknown(raw, FUNCTION_KEYS, p, "function")
    name = c.string(raw, "FunctionName", p, "demo")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name):
        raise c.fail((*p, "FunctionName"), f"FunctionName: {name!r} must be 1-64 letters, digits, - or _ "
                     "(ValidationException: Member must satisfy regular expression pattern)")
    lo, hi, d = LIMITS["MemorySize"]
    memory = c.integer(raw, "MemorySize", p, d, lo, hi, "memorySize")
    lo, hi, d = LIMITS["Timeout"]
    timeout = c.integer(raw, "Timeout", p, d, lo, hi, "timeout")
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
    behavior = _behavior(c, c.mapping(raw.get("behavior"), (*p, "behavior"), "behavior"), (*p, "behavior"))
    role = _role(c, raw.get("Role"), (*p, "Role"))
    policy = _resource_policy(c, raw.get("ResourcePolicy"), (*p, "ResourcePolicy"))
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


def _id_counts(c: _Checker, value: Any, path: tuple, key: str) -> dict[str, int | None]:
    if value is None:
        return {}
    if isinstance(value, list):
        out: dict[str, int | None] = {}
        for i, item in enumerate(value):
            if not isinstance(item, str | int) or isinstance(item, bool):
                raise c.fail((*path, i), f"{key}: expected input ids, got {_show(item)}")
            out[str(item)] = None
        return out
    if isinstance(value, dict):
        out = {}
        for k, n in value.items():
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise c.fail((*path, k), f"{key}.{k}: expected a count of deliveries (1 or more), got {_show(n)}")
            out[str(k)] = n
        return out
    raise c.fail(path, f"{key}: expected a list of input ids or a map id: N")


def _behavior(c: _Checker, raw: dict, p: tuple) -> Behavior:
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
    b.fail_records = _id_counts(c, raw.get("fail_records"), (*p, "fail_records"), "fail_records")
    b.report_failures = _id_counts(c, raw.get("report_failures"), (*p, "report_failures"), "report_failures")
    if "returns" in raw:
        b.returns = raw["returns"]
        b.has_returns = True
    return b


def _role(c: _Checker, raw: Any, p: tuple) -> dict | None:
    if raw is None:
        return None
    raw = c.mapping(raw, p, "Role")
    c.unknown(raw, {"Policies", "Actions"}, p, "Role")
    policies = raw.get("Policies") or []
    actions = raw.get("Actions") or []
    if not isinstance(policies, list) or not all(isinstance(x, str) for x in policies):
        raise c.fail((*p, "Policies"), "Policies: expected a list of managed policy names")
    for i, name in enumerate(policies):
        if name not in MANAGED_POLICIES:
            raise c.fail((*p, "Policies", i), f"Policies: {name!r} is not a managed policy this emulator knows; "
                         f"expected one of {', '.join(sorted(MANAGED_POLICIES))}")
    if not isinstance(actions, list) or not all(isinstance(x, str) and ":" in x for x in actions):
        raise c.fail((*p, "Actions"), "Actions: expected a list of IAM actions such as sqs:SendMessage")
    return {"Policies": list(policies), "Actions": list(actions)}


def _resource_policy(c: _Checker, raw: Any, p: tuple) -> list | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise c.fail(p, "ResourcePolicy: expected a list of statements such as {Principal: s3.amazonaws.com}")
    out = []
    for i, st in enumerate(raw):
        st = c.mapping(st, (*p, i), "ResourcePolicy statement")
        c.unknown(st, {"Principal", "Action", "SourceArn"}, (*p, i), "a ResourcePolicy statement")
        principal = c.string(st, "Principal", (*p, i), required=True)
        action = c.string(st, "Action", (*p, i), "lambda:InvokeFunction")
        out.append({"Principal": principal, "Action": action, "SourceArn": st.get("SourceArn")})
    return out


def _destinations(c: _Checker, raw: Any, p: tuple, allowed: tuple[str, ...], kind: str) -> dict:
    raw = c.mapping(raw, p, "DestinationConfig")
    keys = {"OnSuccess", "OnFailure"} if kind == "async" else {"OnFailure"}
    hint = {}
    if kind != "async":
        hint["OnSuccess"] = ("OnSuccess: event source mappings only have an on-failure destination "
                             "(InvalidParameterValueException: Unsupported DestinationConfig parameter for given "
                             "event source mapping type)")
    c.unknown(raw, keys, p, "DestinationConfig", hint)
    out: dict[str, Any] = {}
    for which in sorted(keys):
        entry = c.mapping(raw.get(which), (*p, which), which)
        c.unknown(entry, {"Destination"}, (*p, which), which)
        dest = entry.get("Destination")
        if dest is None:
            out[which] = {"Destination": None}
            continue
        arn = c.destination(dest, (*p, which, "Destination"), "Destination")
        k = arn_kind(arn)
        allowed_here = allowed
        if kind == "async" and which == "OnSuccess":
            allowed_here = tuple(a for a in allowed if a != "s3")
        if k not in allowed_here:
            names = {"sqs": "an SQS queue", "sns": "an SNS topic", "lambda": "a Lambda function",
                     "events": "an EventBridge event bus", "s3": "an S3 bucket"}
            listed = ", ".join(names[a] for a in allowed_here)
            why = ""
            if k == "s3" and c.profile == "exam":
                why = " (S3 destinations exist only in the aws profile)"
            elif k == "s3" and which == "OnSuccess":
                why = " (S3 buckets are supported only for on-failure destinations)"
            raise c.fail((*p, which, "Destination"),
                         f"Destination: {names.get(k, k)} is not allowed here; expected {listed}{why} "
                         "(InvalidParameterValueException: The destination ARN is not a supported destination type)")
        if arn.endswith(".fifo"):
            raise c.fail((*p, which, "Destination"),
                         "Destination: FIFO queues and topics are not supported as destinations")
        out[which] = {"Destination": arn}
    return out


def _async_settings(c: _Checker, raw: dict, p: tuple) -> dict:
    lo, hi, d = LIMITS["async.MaximumRetryAttempts"]
    if "async-three-retries" in c.misconceptions:
        hi = 3
    retries = c.integer(raw, "MaximumRetryAttempts", p, d, lo, hi, "maximumRetryAttempts")
    lo, hi, d = LIMITS["async.MaximumEventAgeInSeconds"]
    age = c.integer(raw, "MaximumEventAgeInSeconds", p, d, lo, hi, "maximumEventAgeInSeconds")
    allowed = ("sqs", "sns", "lambda", "events") + (("s3",) if c.profile == "aws" else ())
    dest = _destinations(c, raw.get("DestinationConfig"), (*p, "DestinationConfig"), allowed, "async")
    return {"MaximumRetryAttempts": retries, "MaximumEventAgeInSeconds": age, "DestinationConfig": dest}


def _trigger(c: _Checker, raw: dict, ttype: str, function: dict) -> dict:
    p = ("trigger",)
    allowed = TRIGGER_KEYS[ttype] | {"type"}
    hint = {}
    if ttype == "sqs":
        for key in STREAM_ONLY:
            hint[key] = (f"{key}: not a setting of an SQS event source mapping (InvalidParameterValueException: "
                         f"Unsupported {key} parameter for given event source mapping type); it applies to "
                         "Kinesis and DynamoDB streams only")
        hint["DestinationConfig"] = (
            "DestinationConfig: SQS event source mappings have no on-failure destination; configure a "
            "RedrivePolicy (dead-letter queue) on the queue itself (InvalidParameterValueException: Unsupported "
            "DestinationConfig parameter for given event source mapping type)")
    if ttype in ASYNC_TYPES or ttype in ("sync", "alb"):
        for key in ("BatchSize", "StartingPosition", "BisectBatchOnFunctionError"):
            hint[key] = f"{key}: only event source mappings (sqs, kinesis, dynamodb) have this setting"
    if ttype == "sqs" and "sqs-bisect" in c.misconceptions:
        allowed = allowed | {"BisectBatchOnFunctionError"}
    if ttype == "sqs" and "sqs-destination" in c.misconceptions:
        allowed = allowed | {"DestinationConfig"}
    c.unknown(raw, allowed, p, f"a {ttype} trigger", hint)
    out: dict[str, Any] = {"type": ttype}
    if ttype in ASYNC_TYPES:
        out.update(_async_settings(c, raw, p))
    if ttype == "s3":
        out.update(_s3(c, raw, p))
    elif ttype == "schedule":
        from study.sim import schedule as sched

        expr = c.string(raw, "ScheduleExpression", p, required=True)
        try:
            sched.parse(expr)
        except ValueError as err:
            raise c.fail((*p, "ScheduleExpression"), f"ScheduleExpression: {err} "
                         "(ValidationException: Parameter ScheduleExpression is not valid.)") from None
        out["ScheduleExpression"] = expr
        out["Name"] = c.string(raw, "Name", p, "demo-rule")
        out.update(_target_dlq(c, raw, p))
    elif ttype == "sns":
        out["TopicName"] = c.string(raw, "TopicName", p, "demo-topic")
        fp = raw.get("FilterPolicy")
        if fp is not None:
            fp = c.mapping(fp, (*p, "FilterPolicy"), "FilterPolicy")
            for k, v in fp.items():
                if not isinstance(v, list) or not v:
                    raise c.fail((*p, "FilterPolicy", k), f"FilterPolicy.{k}: expected a list of allowed values")
        out["FilterPolicy"] = fp
    elif ttype == "eventbridge":
        pattern = raw.get("EventPattern")
        if pattern is None:
            raise c.fail(p, "EventPattern: required for an eventbridge rule (use schedule for a timed rule)")
        pattern = c.mapping(pattern, (*p, "EventPattern"), "EventPattern")
        _check_pattern(c, pattern, (*p, "EventPattern"))
        out["EventPattern"] = pattern
        out["EventBusName"] = c.string(raw, "EventBusName", p, "default")
        out["Name"] = c.string(raw, "Name", p, "demo-rule")
        out.update(_target_dlq(c, raw, p))
    elif ttype == "sqs":
        out.update(_sqs(c, raw, p, function))
    elif ttype in STREAM_TYPES:
        out.update(_stream(c, raw, p, ttype))
    elif ttype == "alb":
        out["MultiValueHeaders"] = c.boolean(raw, "MultiValueHeaders", p, False)
        out["TargetGroupArn"] = (f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/demo-tg/"
                                 "6d0ecf831eec9f09")
    return out


def _target_dlq(c: _Checker, raw: dict, p: tuple) -> dict:
    """The rule target's DeadLetterConfig (eventbridge.retry-layers, docs/emulator.md §5): a standard SQS queue
    for events EventBridge cannot deliver. Only in the trace when the scenario sets it, so scenarios without
    one keep their traces."""
    if "DeadLetterConfig" not in raw:
        return {}
    dp = (*p, "DeadLetterConfig")
    dlq = c.mapping(raw["DeadLetterConfig"], dp, "DeadLetterConfig")
    c.unknown(dlq, {"Arn"}, dp, "DeadLetterConfig", {
        "TargetArn": "TargetArn: the rule target's dead-letter queue is DeadLetterConfig: {Arn: ...}; "
                     "TargetArn belongs to the function's own DeadLetterConfig"})
    arn = dlq.get("Arn")
    if arn is not None:
        arn = c.destination(arn, (*dp, "Arn"), "Arn")
        if arn_kind(arn) != "sqs":
            raise c.fail((*dp, "Arn"), "Arn: an EventBridge dead-letter queue must be an SQS queue "
                         "(sqs:NAME or an SQS queue ARN)")
        if arn.endswith(".fifo"):
            raise c.fail((*dp, "Arn"), "Arn: EventBridge dead-letter queues must be standard queues; a FIFO "
                         "queue cannot be one")
    return {"DeadLetterConfig": {"Arn": arn}}


def _check_pattern(c: _Checker, pattern: dict, p: tuple) -> None:
    for k, v in pattern.items():
        if isinstance(v, dict):
            _check_pattern(c, v, (*p, k))
        elif isinstance(v, list):
            for i, item in enumerate(v):
                if isinstance(item, dict) and set(item) - {"prefix"}:
                    raise c.fail((*p, k, i), f"EventPattern.{k}: only exact values and {{prefix: ...}} are modelled")
        else:
            raise c.fail((*p, k), f"EventPattern.{k}: expected a list of values or a nested pattern "
                         "(InvalidEventPatternException: Event pattern is not valid)")


def _s3(c: _Checker, raw: dict, p: tuple) -> dict:
    bucket = c.string(raw, "Bucket", p, "demo-bucket")
    versioning = c.boolean(raw, "Versioning", p, False)
    events = raw.get("Events", ["s3:ObjectCreated:*"])
    if not isinstance(events, list) or not events:
        raise c.fail((*p, "Events"), "Events: expected a list such as [\"s3:ObjectCreated:*\"]")
    known = {"s3:ObjectCreated:*", "s3:ObjectRemoved:*"} | {"s3:" + e for e in S3_OPS.values()} | {
        "s3:ObjectRemoved:DeleteMarkerCreated"}
    for i, e in enumerate(events):
        if e not in known:
            raise c.fail((*p, "Events", i), f"Events: {e!r} is not an event type this emulator models; expected "
                         f"one of {', '.join(sorted(known))}")
    filt = c.mapping(raw.get("Filter"), (*p, "Filter"), "Filter")
    hint = {"Contains": "Contains: S3 filters match a key's prefix or suffix only; there is no 'contains' "
            "(use Suffix: .jpg for 'name ends in .jpg')"}
    c.unknown(filt, {"Prefix", "Suffix"}, (*p, "Filter"), "Filter", hint)
    for k in ("Prefix", "Suffix"):
        v = filt.get(k)
        if v is not None and ("*" in str(v) or "?" in str(v)):
            raise c.fail((*p, "Filter", k), f"{k}: S3 filters take no wildcards; write the literal prefix or suffix "
                         "(InvalidArgument: Unable to validate the following destination configurations)")
    return {"Bucket": bucket, "Versioning": versioning, "Events": list(events),
            "Filter": {"Prefix": filt.get("Prefix"), "Suffix": filt.get("Suffix")},
            "BucketArn": f"arn:aws:s3:::{bucket}"}


def _sqs(c: _Checker, raw: dict, p: tuple, function: dict) -> dict:
    q = c.mapping(raw.get("Queue"), (*p, "Queue"), "Queue")
    qp = (*p, "Queue")
    c.unknown(q, {"FifoQueue", "VisibilityTimeout", "DelaySeconds", "RedrivePolicy", "QueueName"}, qp, "Queue")
    fifo = c.boolean(q, "FifoQueue", qp, False)
    name = c.string(q, "QueueName", qp, "demo-queue.fifo" if fifo else "demo-queue")
    if fifo and not name.endswith(".fifo"):
        raise c.fail((*qp, "QueueName"), "QueueName: a FIFO queue's name must end in .fifo")
    lo, hi, d = LIMITS["sqs.VisibilityTimeout"]
    vt = c.integer(q, "VisibilityTimeout", qp, d, lo, hi, "visibilityTimeout")
    lo, hi, d = LIMITS["sqs.DelaySeconds"]
    delay = c.integer(q, "DelaySeconds", qp, d, lo, hi, "delaySeconds")
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
        lo, hi, _ = LIMITS["sqs.maxReceiveCount"]
        mrc = c.integer(rp, "maxReceiveCount", (*qp, "RedrivePolicy"), None, lo, hi, None, required=True)
        redrive = {"deadLetterTargetArn": target, "maxReceiveCount": mrc}
    bp = "fifo" if fifo else ("aws" if c.profile == "aws" else "exam")
    lo, hi, d = LIMITS[f"sqs.BatchSize.{bp}"]
    batch = raw.get("BatchSize", d)
    if isinstance(batch, int) and not isinstance(batch, bool) and batch > hi:
        if fifo and batch <= 10000:
            raise c.fail((*p, "BatchSize"), f"BatchSize: {batch} is too large for a FIFO queue; expected 1..10 "
                         "(InvalidParameterValueException: Maximum batch size for FIFO queues is 10)")
        if bp == "exam" and batch <= 10000:
            raise c.fail((*p, "BatchSize"), f"BatchSize: {batch} is out of range 1..10 in the exam profile (the "
                         "chapter's SQS limit); the aws profile allows up to 10,000 for standard queues")
    batch = c.integer(raw, "BatchSize", p, d, lo, hi, "batchSize")
    lo, hi, d = LIMITS["sqs.MaximumBatchingWindowInSeconds"]
    window = c.integer(raw, "MaximumBatchingWindowInSeconds", p, d, lo, hi, "maximumBatchingWindowInSeconds")
    if fifo and window:
        raise c.fail((*p, "MaximumBatchingWindowInSeconds"),
                     "MaximumBatchingWindowInSeconds: batching windows apply to standard queues only "
                     "(InvalidParameterValueException: Batching window is not supported for FIFO queues)")
    if batch > 10 and window < 1:
        raise c.fail((*p, "BatchSize"), f"BatchSize: {batch} needs MaximumBatchingWindowInSeconds of at least 1 "
                     "(InvalidParameterValueException: Maximum batch window in seconds must be greater than 0 if "
                     "maximum batch size is greater than 10)")
    frt = _response_types(c, raw, p)
    sc = c.mapping(raw.get("ScalingConfig"), (*p, "ScalingConfig"), "ScalingConfig")
    c.unknown(sc, {"MaximumConcurrency"}, (*p, "ScalingConfig"), "ScalingConfig")
    lo, hi, _ = LIMITS["sqs.MaximumConcurrency"]
    maxc = c.integer(sc, "MaximumConcurrency", (*p, "ScalingConfig"), None, lo, hi, "maximumConcurrency")
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
        out["DestinationConfig"] = _destinations(c, raw.get("DestinationConfig"), (*p, "DestinationConfig"),
                                                 ("sqs", "sns"), "esm")
    return out


def _response_types(c: _Checker, raw: dict, p: tuple) -> list:
    frt = raw.get("FunctionResponseTypes", [])
    if frt is None:
        frt = []
    if not isinstance(frt, list) or any(x != "ReportBatchItemFailures" for x in frt):
        raise c.fail((*p, "FunctionResponseTypes"), "FunctionResponseTypes: expected [ReportBatchItemFailures] or [] "
                     "(ValidationException: Member must satisfy enum value set: [ReportBatchItemFailures])")
    return list(frt)


def _stream(c: _Checker, raw: dict, p: tuple, ttype: str) -> dict:
    s = c.mapping(raw.get("Stream"), (*p, "Stream"), "Stream")
    sp = (*p, "Stream")
    keys = {"ShardCount", "RetentionPeriodHours", "StreamName"} if ttype == "kinesis" else {"ShardCount", "TableName"}
    hint = {"RetentionPeriodHours": "RetentionPeriodHours: a DynamoDB stream keeps records for a fixed 24 hours"}
    c.unknown(s, keys, sp, "Stream", hint)
    lo, hi, d = LIMITS["ShardCount"]
    shards = c.integer(s, "ShardCount", sp, d, lo, hi)
    if ttype == "kinesis":
        lo, hi, d = LIMITS["kinesis.RetentionPeriodHours"]
        retention = c.integer(s, "RetentionPeriodHours", sp, d, lo, hi, "retentionPeriodHours")
        name = c.string(s, "StreamName", sp, "demo-stream")
        arn = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{name}"
    else:
        retention = 24
        name = c.string(s, "TableName", sp, "demo-table")
        arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}/stream/2026-01-01T00:00:00.000"
    lo, hi, d = LIMITS["stream.BatchSize"]
    batch = c.integer(raw, "BatchSize", p, d, lo, hi, "batchSize")
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
    lo, hi, d = LIMITS["stream.MaximumRetryAttempts"]
    retries = c.integer(raw, "MaximumRetryAttempts", p, d, lo, hi, "maximumRetryAttempts")
    lo, hi, d = LIMITS["stream.MaximumRecordAgeInSeconds"]
    age = c.integer(raw, "MaximumRecordAgeInSeconds", p, d, lo, hi, "maximumRecordAgeInSeconds")
    if 0 <= age < RECORD_AGE_MIN:
        raise c.fail((*p, "MaximumRecordAgeInSeconds"),
                     f"MaximumRecordAgeInSeconds: {age} is not allowed; expected -1 (no limit) or 60..604800 "
                     "(InvalidParameterValueException: The minimum valid value for maximum record age is 60s)")
    lo, hi, d = LIMITS["stream.ParallelizationFactor"]
    pf = c.integer(raw, "ParallelizationFactor", p, d, lo, hi, "parallelizationFactor")
    lo, hi, d = LIMITS["stream.MaximumBatchingWindowInSeconds"]
    window = c.integer(raw, "MaximumBatchingWindowInSeconds", p, d, lo, hi, "maximumBatchingWindowInSeconds")
    frt = _response_types(c, raw, p)
    allowed = ("sqs", "sns") + (("s3",) if c.profile == "aws" else ())
    dest = _destinations(c, raw.get("DestinationConfig"), (*p, "DestinationConfig"), allowed, "esm")
    mapping_at = c.seconds(raw, "mapping_at", p, 0, 0)
    return {
        "Stream": {"ShardCount": shards, "RetentionPeriodHours": retention, "StreamArn": arn},
        "BatchSize": batch, "StartingPosition": position, "StartingPositionTimestamp": ts,
        "BisectBatchOnFunctionError": bisect, "MaximumRetryAttempts": retries,
        "MaximumRecordAgeInSeconds": age, "ParallelizationFactor": pf,
        "MaximumBatchingWindowInSeconds": window, "FunctionResponseTypes": frt,
        "DestinationConfig": dest, "mapping_at": mapping_at / MS,
    }


MAX_INPUTS = 50_000  # inputs written out one by one (under `inputs` or in an inputs_file)
# Inputs in all, `count` expansions included: a generated backlog is cheap to read, and the scaling ramp needs
# about a million messages (the emulator runs it in its lean mode for --summary).
MAX_GENERATED = 1_000_000
INPUTS_FILE_BYTES = 32 * 1024 * 1024  # an inputs_file is read line by line, up to this size
INPUT_LINE_BYTES = 1024 * 1024  # one line of an inputs_file (an SQS message is at most 256 KB)


def _inputs(c: _Checker, top: dict, ttype: str, trigger: dict, base_dir: Path) -> list[dict]:
    raw = top.get("inputs")
    from_file = top.get("inputs_file")
    if ttype == "schedule":
        if raw or from_file is not None:
            key = "inputs" if raw else "inputs_file"
            raise c.fail((key,), f"{key}: a schedule trigger takes no inputs; the rule fires by itself")
        return []
    if raw is None and from_file is None:
        raise c.fail((), f"inputs: required for a {ttype} trigger (or inputs_file: a JSON Lines file beside "
                     "the scenario)")
    if raw is not None and not isinstance(raw, list):
        raise c.fail(("inputs",), "inputs: expected a list")
    if raw is not None and len(raw) > MAX_INPUTS:  # before checking 50,000 of them one by one
        raise c.fail(("inputs", MAX_INPUTS), _too_many(len(raw), MAX_INPUTS, "written out"))
    out: list[dict] = []
    seen: set[str] = set()
    written = [0]
    for i, item in enumerate(raw or ()):
        _one_input(c, item, ("inputs", i), seen, ttype, trigger, out, written)
    if from_file is not None:
        _inputs_file(c, from_file, base_dir, seen, ttype, trigger, out, written)
    out.sort(key=lambda x: (x["at_ms"], x["index"]))
    return out


def _one_input(c: _Checker, item: Any, p: tuple, seen: set, ttype: str, trigger: dict, out: list,
               written: list[int]) -> None:
    """One input as written (or a `count` of them); `written` counts those written out one by one."""
    item = c.mapping(item, p, "an input")
    c.unknown(item, INPUT_KEYS[ttype], p, f"a {ttype} input")
    at_ms = c.seconds(item, "at", p, 0, 0)
    if "count" in item or "prefix" in item:
        if "count" not in item or "prefix" not in item or "id" in item:
            raise c.fail(p, "an input with count needs a prefix (ids prefix1..prefixN) and no id")
        n = c.integer(item, "count", p, None, 1, MAX_GENERATED)
        if len(out) + n > MAX_GENERATED:
            raise c.fail((*p, "count"), _too_many(len(out) + n, MAX_GENERATED, "generated with count"))
        prefix = c.string(item, "prefix", p)
        base = {k: v for k, v in item.items() if k not in ("count", "prefix", "at")}
        template = None
        for k in range(1, n + 1):
            iid = f"{prefix}{k}"
            if template is None or k <= 3:
                # The first inputs are checked in full; the rest are stamped from them (same dicts, same key
                # order), so a backlog of a million costs no million checks.
                one = dict(base, id=iid, at_ms=at_ms, index=len(out), _where=p)
                _add_input(c, one, seen, p, ttype, trigger, out)
                if k == 2:
                    template = _stamp_template(out[-2], one)
                elif k == 3 and template is not None and list(_stamp(template, iid, one["index"]).items()) != list(one.items()):
                    template = None  # the stamp would differ: check every input in full
                continue
            if iid in seen:
                raise c.fail(p, f"id: {iid!r} is used by two inputs; ids must be unique")
            seen.add(iid)
            out.append(_stamp(template, iid, len(out)))
        return
    written[0] += 1
    if written[0] > MAX_INPUTS or len(out) >= MAX_GENERATED:
        limit = MAX_INPUTS if written[0] > MAX_INPUTS else MAX_GENERATED
        raise c.fail(p, _too_many(len(out) + 1 if limit == MAX_GENERATED else written[0], limit,
                                  "written out" if limit == MAX_INPUTS else "in all"))
    iid = item.get("id")
    if iid is None:
        raise c.fail(p, "id: required (a short name for this input, e.g. e1)")
    if isinstance(iid, bool) or not isinstance(iid, str | int):
        raise c.fail((*p, "id"), "id: expected a short name")
    one = dict(item, id=str(iid), at_ms=at_ms, index=len(out), _where=p)
    one.pop("at", None)
    _add_input(c, one, seen, p, ttype, trigger, out)


def _too_many(n: int, limit: int, how: str) -> str:
    return f"{n:,} inputs are more than the {limit:,} one scenario may have {how} (the limit)"


class _LineMarks(yamlpos.Marks):
    """Positions in an inputs_file: ("inputs", N, ...) is the line of its N-th input."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int] = []

    def get(self, path):
        if len(path) >= 2 and path[0] == "inputs" and isinstance(path[1], int) and path[1] < len(self.lines):
            return self.lines[path[1]], 1
        return None


def _inputs_file(c: _Checker, value: Any, base_dir: Path, seen: set, ttype: str, trigger: dict,
                 out: list, written: list[int]) -> None:
    """inputs_file: one JSON object per line, read as a stream; each is an input as written under `inputs`."""
    import json

    if not isinstance(value, str) or not value.strip():
        raise c.fail(("inputs_file",), "inputs_file: expected the name of a JSON Lines file beside the scenario")
    folder = base_dir.resolve()
    path = (folder / value).resolve()
    if not path.is_relative_to(folder):
        raise c.fail(("inputs_file",), f"inputs_file: {value!r} is outside the scenario's folder; put the file "
                     "beside the scenario (or in a folder below it)")
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below; read line by line
    except OSError as err:
        raise c.fail(("inputs_file",), f"inputs_file: cannot read {value!r}: {err.strerror or err}") from None
    marks = _LineMarks()
    fc = _Checker(str(path), marks, c.profile, c.misconceptions)
    read = 0
    with fh:
        for lineno in itertools.count(1):
            line = fh.readline(INPUT_LINE_BYTES + 1)
            if not line:
                return
            read += len(line)
            if len(line) > INPUT_LINE_BYTES:
                raise ScenarioError(f"the line is longer than {INPUT_LINE_BYTES:,} bytes (the limit of one input)",
                                    str(path), lineno, 1)
            if read > INPUTS_FILE_BYTES:
                raise ScenarioError(f"the file is larger than {INPUTS_FILE_BYTES:,} bytes (the limit of an "
                                    "inputs_file)", str(path), lineno, 1)
            if not line.strip():
                continue
            try:
                text = line.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as err:
                raise ScenarioError("the line is not UTF-8 text", str(path), lineno, err.start + 1) from None
            try:
                item = json.loads(text)
            except json.JSONDecodeError as err:
                raise ScenarioError(f"not valid JSON: {err.msg}", str(path), lineno, err.colno) from None
            except RecursionError:
                raise ScenarioError("the JSON is nested too deep", str(path), lineno, 1) from None
            if not isinstance(item, dict):
                raise ScenarioError("expected one input per line, a JSON object such as {\"id\": \"m1\"}",
                                    str(path), lineno, 1)
            if text.count("[") + text.count("{") > yamlpos.LIMITS.depth and _depth(item) > yamlpos.LIMITS.depth:
                raise ScenarioError(f"nested more than {yamlpos.LIMITS.depth} levels deep (the limit of lists and "
                                    "objects inside each other)", str(path), lineno, 1)
            marks.lines.append(lineno)
            _one_input(fc, item, ("inputs", len(marks.lines) - 1), seen, ttype, trigger, out, written)


def _depth(value: Any) -> int:
    """How deep lists and mappings nest in a JSON value (iterative, so any depth is safe to measure)."""
    deepest = 0
    todo = [(value, 1)]
    while todo:
        v, d = todo.pop()
        if isinstance(v, dict):
            v = list(v.values())
        if isinstance(v, list):
            deepest = max(deepest, d)
            todo.extend((x, d + 1) for x in v)
    return deepest


def _stamp_template(first: dict, second: dict) -> list[tuple[str, int, Any]] | None:
    """From the first two checked inputs of a `count` input, what the others are, field by field in order: shared
    (0, the value), the id itself (1: a default body, partition key, data) or {"id": id} (2: a default item), or
    its index (3). None when the two differ in any other way (then every input is checked in full)."""
    if list(first) != list(second):
        return None
    fields: list[tuple[str, int, Any]] = []
    for key, value in first.items():
        if key == "index":
            fields.append((key, 3, None))
        elif key == "id" or value == first["id"] and second[key] == second["id"] and value != second[key]:
            fields.append((key, 1, None))
        elif value == second[key]:
            fields.append((key, 0, value))
        elif value == {"id": first["id"]} and second[key] == {"id": second["id"]}:
            fields.append((key, 2, None))
        else:
            return None
    return fields


def _stamp(template: list[tuple[str, int, Any]], iid: str, index: int) -> dict:
    one: dict[str, Any] = {}
    for key, kind, value in template:
        one[key] = value if kind == 0 else iid if kind == 1 else {"id": iid} if kind == 2 else index
    return one


def _add_input(c: _Checker, one: dict, seen: set, p: tuple, ttype: str, trigger: dict, out: list) -> None:
    iid = one["id"]
    if iid in seen:
        raise c.fail(p, f"id: {iid!r} is used by two inputs; ids must be unique")
    seen.add(iid)
    if ttype == "s3":
        op = c.string(one, "op", p, "put", tuple(S3_OPS))
        one["op"] = op
        key = one.get("key")
        if not isinstance(key, str) or not key:
            raise c.fail((*p, "key") if "key" in one else p, "key: required, the object's key (text)")
        size = one.get("size", 0)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise c.fail((*p, "size"), "size: expected a number of bytes")
        one["size"] = size
    elif ttype == "sqs":
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
            one["body"] = iid
        elif not isinstance(one["body"], str):
            import json as _json

            one["body"] = _json.dumps(one["body"], separators=(",", ":"))
        attrs = one.get("attributes")
        if attrs is not None and not isinstance(attrs, dict):
            raise c.fail((*p, "attributes"), "attributes: expected a mapping of message attributes")
    elif ttype in STREAM_TYPES:
        shard = one.get("shard")
        if shard is not None:
            count = trigger["Stream"]["ShardCount"]
            if isinstance(shard, bool) or not isinstance(shard, int) or not 0 <= shard < count:
                raise c.fail((*p, "shard"), f"shard: expected a shard index 0..{count - 1}")
        one.setdefault("partition_key", iid)
        one["partition_key"] = str(one["partition_key"])
        one.setdefault("data", iid)
        if ttype == "dynamodb":
            one["event"] = c.string(one, "event", p, "INSERT", ("INSERT", "MODIFY", "REMOVE"))
            item = one.get("item")
            if item is None:
                item = {"id": iid}
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
    elif ttype == "alb":
        one["method"] = c.string(one, "method", p, "GET")
        path = c.string(one, "path", p, "/")
        if not path.startswith("/"):
            raise c.fail((*p, "path"), "path: expected a path starting with /")
        one["path"] = path
        headers = one.get("headers") or []
        if isinstance(headers, dict):
            headers = [[k, v] for k, v in headers.items()]
        if not isinstance(headers, list) or not all(
                isinstance(h, list) and len(h) == 2 and isinstance(h[0], str) for h in headers):
            raise c.fail((*p, "headers"), "headers: expected a list of [name, value] pairs")
        one["headers"] = [[h[0], str(h[1])] for h in headers]
        body = one.get("body")
        if body is not None and not isinstance(body, str):
            import json as _json

            body = _json.dumps(body, separators=(",", ":"))
        one["body"] = body
    elif ttype == "eventbridge":
        one["source"] = c.string(one, "source", p, "custom.app")
        one["detail-type"] = c.string(one, "detail-type", p, "Custom Event")
        detail = one.get("detail", {})
        if not isinstance(detail, dict):
            raise c.fail((*p, "detail"), "detail: expected a mapping")
        one["detail"] = detail
    elif ttype == "sns":
        msg = one.get("message", iid)
        if not isinstance(msg, str):
            import json as _json

            msg = _json.dumps(msg, separators=(",", ":"))
        one["message"] = msg
        attrs = one.get("attributes") or {}
        if not isinstance(attrs, dict):
            raise c.fail((*p, "attributes"), "attributes: expected a mapping of message attributes")
        one["attributes"] = attrs
    out.append(one)


def _check_lab(c: _Checker, lab: Any) -> None:
    p = ("lab",)
    lab = c.mapping(lab, p, "lab")
    c.unknown(lab, {"description", "brief", "debrief", "rules", "predict", "whatif", "watch_for"}, p, "lab")
    # `brief` is read before predicting (the setup, at most the general rule); `debrief` is shown in Explain.
    # Older labs have one `description`; `study check` asks every lab of content/labs for brief and debrief.
    for key in ("brief", "debrief", "description"):
        if key in lab and (not isinstance(lab[key], str) or not lab[key].strip()):
            raise c.fail((*p, key), f"lab.{key}: expected a paragraph of text")
    if "brief" not in lab and "description" not in lab:
        raise c.fail(p, "lab.brief: required, a paragraph for the learner to read before predicting")
    rules = lab.get("rules")
    if not isinstance(rules, list) or not rules or not all(isinstance(r, str) for r in rules):
        raise c.fail((*p, "rules") if "rules" in lab else p, "lab.rules: expected a list of rule ids")
    preds = lab.get("predict")
    if not isinstance(preds, list) or not preds:
        raise c.fail((*p, "predict") if "predict" in lab else p, "lab.predict: expected at least one prediction")
    for i, pred in enumerate(preds):
        pp = (*p, "predict", i)
        pred = c.mapping(pred, pp, "a prediction")
        c.unknown(pred, {"question", "answer", "kind", "options", "rule"}, pp, "a prediction")
        c.string(pred, "question", pp, required=True)
        c.string(pred, "answer", pp, required=True)
        kind = c.string(pred, "kind", pp, "number", ("number", "choice", "list", "text", "bool"))
        if kind == "choice" and not isinstance(pred.get("options"), list):
            raise c.fail(pp, "options: a choice prediction needs a list of options")


def lab_predicts_refusal(lab: Any) -> bool:
    """A permission lab's outcome is the refusal itself: one of its predictions answers `error`."""
    if not isinstance(lab, dict):
        return False
    return any(isinstance(p, dict) and str(p.get("answer", "")).strip() == "error" for p in lab.get("predict") or [])


def _check_permissions(c: _Checker, s: Scenario) -> None:
    """permissions.* (docs/emulator.md §8): with strict_permissions, refuse configurations AWS would refuse."""
    if not s.strict_permissions:
        return
    fn = s.function
    role = fn["Role"] or {"Policies": [], "Actions": []}
    granted = set(role["Actions"])
    for pol in role["Policies"]:
        granted |= MANAGED_POLICIES[pol]
    t = s.type
    if t in PULL_ACTIONS:
        first, service, actions = PULL_ACTIONS[t]
        missing = [a for a in actions if a not in granted]
        if missing:
            name = missing[0].split(":")[1]
            raise c.fail(("function", "Role") if fn["Role"] else ("trigger",),
                         f"the execution role lacks {', '.join(missing)} for the {service} event source mapping "
                         f"(InvalidParameterValueException: The provided execution role does not have permissions "
                         f"to call {name} on {service})")
    dests: list[tuple[str, tuple]] = []
    if fn["DeadLetterConfig"]["TargetArn"]:
        dests.append((fn["DeadLetterConfig"]["TargetArn"], ("function", "DeadLetterConfig")))
    for which, entry in (s.trigger.get("DestinationConfig") or {}).items():
        if entry.get("Destination"):
            dests.append((entry["Destination"], ("trigger", "DestinationConfig", which)))
    for arn, path in dests:
        action, name, service = SEND_ACTIONS[arn_kind(arn)]
        if action not in granted:
            raise c.fail(path, f"the execution role lacks {action} for {arn} "
                         f"(InvalidParameterValueException: The provided execution role does not have permissions "
                         f"to call {name} on {service})")
    principal = PUSH_PRINCIPALS.get(t)
    if principal:
        stmts = fn["ResourcePolicy"] or []
        ok = any(st["Principal"] == principal and st["Action"] in ("lambda:InvokeFunction", "lambda:*")
                 for st in stmts)
        s.trigger["permitted"] = ok
        if not ok:
            where = ("function", "ResourcePolicy") if fn["ResourcePolicy"] is not None else ("trigger",)
            if t == "s3":
                raise c.fail(where, f"the function's resource-based policy has no statement for {principal} "
                             "(InvalidArgument: Unable to validate the following destination configurations)")
            if t == "alb":
                raise c.fail(where, f"the function's resource-based policy has no statement for {principal}, so "
                             "the target cannot be registered (AccessDenied: elasticloadbalancing principal does not "
                             "have permission to invoke the function from target group demo-tg)")
            # An EventBridge rule (and an SNS subscription) is created anyway; each delivery then fails
            # (FailedInvocations / delivery failures): its events go to the rule target's DLQ if it has one
            # (push.AsyncSource.accept), else they are dropped.


def scenario_from_dict(data: dict, file: str = "<generated>", base_dir: Path | None = None,
                       misconceptions=frozenset()) -> Scenario:
    """A scenario built in code (the question generator's templates); errors carry no line numbers."""
    return build_scenario(data, yamlpos.Marks(), file, base_dir or Path.cwd(), misconceptions)
