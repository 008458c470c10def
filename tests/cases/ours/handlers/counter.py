"""R12.2 / MC-21: a module global survives warm starts and starts over in a new execution environment."""

COUNT = 0


def handler(event, context):
    global COUNT
    COUNT += 1
    return {"count": COUNT}
