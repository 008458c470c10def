"""DestinationConfig: where an async invocation or a stream mapping sends a record of what happened
(destinations.async, streams.on-failure)."""

from __future__ import annotations

from typing import Any

from study.sim.scenario.arns import arn_kind
from study.sim.scenario.checker import Checker

KIND_NAMES = {"sqs": "an SQS queue", "sns": "an SNS topic", "lambda": "a Lambda function",
              "events": "an EventBridge event bus", "s3": "an S3 bucket"}


def allowed_kinds(c: Checker, base: tuple[str, ...]) -> tuple[str, ...]:
    """`base`, plus S3 buckets where the profile allows them (study/sim/scenario/profiles.py)."""
    return base + (("s3",) if c.profile_rules.s3_destinations else ())


def check_destinations(c: Checker, raw: Any, p: tuple, allowed: tuple[str, ...], kind: str) -> dict:
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
            listed = ", ".join(KIND_NAMES[a] for a in allowed_here)
            why = ""
            if k == "s3" and not c.profile_rules.s3_destinations:
                why = " (S3 destinations exist only in the aws profile)"
            elif k == "s3" and which == "OnSuccess":
                why = " (S3 buckets are supported only for on-failure destinations)"
            raise c.fail((*p, which, "Destination"),
                         f"Destination: {KIND_NAMES.get(k, k)} is not allowed here; expected {listed}{why} "
                         "(InvalidParameterValueException: The destination ARN is not a supported destination type)")
        if arn.endswith(".fifo"):
            raise c.fail((*p, which, "Destination"),
                         "Destination: FIFO queues and topics are not supported as destinations")
        out[which] = {"Destination": arn}
    return out
