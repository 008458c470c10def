"""R8.1: answers whether the ALB added its tracing and forwarding headers to the request event."""

import json

ADDED = ("x-amzn-trace-id", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto")


def handler(event, context):
    headers = event.get("headers") or {}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"forwarded": all(h in headers for h in ADDED)}),
    }
