"""ARNs: the short forms a scenario may write (`sqs:NAME`, ...) and what kind of target an ARN names."""

from __future__ import annotations

from study.sim.scenario.defaults import ACCOUNT, REGION

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


