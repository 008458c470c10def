"""One timeline entry as playback reads it: the inputs it concerns, its target's short name, its event-log line."""

from __future__ import annotations


def entry_inputs(entry: dict) -> list[str]:
    """The input ids an entry concerns (`input` or `inputs`)."""
    if "inputs" in entry:
        return entry["inputs"]
    one = entry.get("input")
    return [one] if one is not None else []


def short_target(arn: str) -> str:
    """`arn:aws:sqs:us-east-1:123456789012:q-fail` -> `sqs:q-fail` (the scenario files' short form)."""
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return str(arn)
    parts = arn.split(":")
    service = parts[2] if len(parts) > 2 else "?"
    name = parts[-1]
    if service == "events" and "/" in name:
        name = name.split("/", 1)[1]
    if service == "s3":
        name = arn.split(":::", 1)[-1]
    return f"{service}:{name}"



def _ids(ids: list[str], limit: int = 6) -> str:
    if len(ids) <= limit:
        return " ".join(ids)
    return " ".join(ids[:limit]) + f" +{len(ids) - limit}"


def describe(e: dict) -> str:
    """One line of the event log for a timeline entry, in the chapter's words."""
    kind = e["kind"]
    ids = entry_inputs(e)
    who = _ids(ids)
    if kind == "arrive":
        where = f" on {e['shard']}" if "shard" in e else (f" in group {e['group']}" if "group" in e else "")
        extra = f" {e['event']} {e['key']}" if "key" in e else ""
        return f"{who} arrives{where}{extra}"
    if kind == "filtered":
        return f"{who} filtered out (never triggers the function)"
    if kind == "coalesced":
        return f"{who} coalesced into another write's notification"
    if kind == "poll":
        return f"poller waits for the batching window (closes at {e.get('window_closes')} s)"
    if kind == "batch":
        return f"poller takes a batch [{who}]"
    if kind == "throttle":
        after = f", retry in {e['retry_in']} s" if e.get("retry_in") is not None else ""
        return f"{who} throttled (no concurrency left){after}"
    if kind == "env_create":
        return f"new execution environment λ{e.get('instance')} (cold start: INIT runs first)"
    if kind == "env_reuse":
        return f"λ{e.get('instance')} reused (warm start)"
    if kind == "env_expire":
        return f"λ{e.get('instance')} idle too long: environment removed"
    if kind == "invoke_start":
        temp = "cold" if e.get("cold_start") else "warm"
        return f"run #{e.get('n')} starts on λ{e.get('instance')} ({temp}) with [{who}], attempt {e.get('attempt')}"
    if kind == "invoke_end":
        return f"run #{e.get('n')} ends: {e.get('status')}"
    if kind == "retry_scheduled":
        due = f" at {e['due']:g} s" if e.get("due") is not None else " at once"
        att = f" (attempt {e['attempt']})" if e.get("attempt") is not None else ""
        return f"{who} will be retried{due}{att}"
    if kind == "bisect":
        return f"batch split in two: [{_ids(e.get('left') or [])}] + [{_ids(e.get('right') or [])}]"
    if kind == "checkpoint":
        return f"checkpoint moves past [{who}]"
    if kind == "visible":
        return f"{who} visible again (receive count {e.get('receive_count')})"
    if kind == "delete":
        return f"[{who}] deleted from the queue"
    if kind == "redrive":
        return f"{who} moved to the queue's dead-letter queue (receive count {e.get('receive_count')})"
    if kind == "deliver":
        if e.get("delivery") == "http":
            return f"client gets HTTP {e.get('status')} for {who}"
        return f"{e.get('delivery')} record for [{who}] sent to {short_target(e.get('target', ''))}"
    if kind == "expire":
        return f"{who} too old: expired"
    if kind == "discard":
        return f"[{who}] discarded ({e.get('reason')})"
    if kind == "scale":
        return f"pollers scale to {e.get('pollers')}"
    if kind == "skipped":  # an aggregated run's event log shows a sample of the steps
        return f"… {e.get('count', 0):,} more steps"
    if kind == "drop_batch":
        return f"visibility timeout expired before the throttled batch [{who}] could run: the poller lets it go"
    return f"{kind} {who}".strip()
