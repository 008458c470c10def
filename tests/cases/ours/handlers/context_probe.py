"""MC-21 probe: returns what the context object and the environment say, so a case can pin them."""

import os
import re


def handler(event, context):
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory": str(context.memory_limit_in_mb),
        "log_group_name": context.log_group_name,
        "stream_ok": re.fullmatch(r"2026/01/01/\[\$LATEST\][0-9a-f]{32}", context.log_stream_name) is not None,
        "request_id_ok": re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", context.aws_request_id
        ) is not None,
        "remaining": context.get_remaining_time_in_millis(),
        "env_region": os.environ.get("AWS_REGION"),
        "env_name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "env_memory": os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
        "payload": event,
    }
