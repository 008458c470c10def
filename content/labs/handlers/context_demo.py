"""Lab handler for 18.16: reads the event as a dict and reports what the context object says."""

import os

# Module scope runs once per execution environment (INIT): it survives warm starts, not cold ones.
invocations_here = 0


def handler(event, context):
    global invocations_here
    invocations_here += 1
    print(f"user {event['user']} in {context.log_group_name}")
    return {
        "user": event["user"],
        "function_name": context.function_name,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "region": os.environ["AWS_REGION"],
        "invocations_in_this_environment": invocations_here,
    }
