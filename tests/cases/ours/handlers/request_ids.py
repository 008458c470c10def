"""R4.9: remembers the request id of the first attempt (warm environment) and compares it on the retry."""

SEEN: list[str] = []


def handler(event, context):
    SEEN.append(context.aws_request_id)
    if len(SEEN) == 1:
        raise RuntimeError("first attempt fails on purpose")
    return {"same": SEEN[0] == SEEN[-1], "attempts_seen": len(SEEN)}
