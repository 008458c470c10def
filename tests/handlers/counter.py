"""Counts invocations in a global: the count survives warm starts and restarts on a cold one."""

import os

calls = 0
print("init", os.environ["AWS_LAMBDA_FUNCTION_NAME"])


def handler(event, context):
    global calls
    calls += 1
    print(f"call {calls} request {context.aws_request_id}")
    return {"calls": calls, "function": context.function_name, "memory": context.memory_limit_in_mb,
            "stream": context.log_stream_name, "group": context.log_group_name,
            "remaining": context.get_remaining_time_in_millis(), "arn": context.invoked_function_arn,
            "region": os.environ["AWS_REGION"]}


def fails(event, context):
    raise ValueError(f"bad input {event.get('n')}")
