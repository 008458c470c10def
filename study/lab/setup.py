"""The setup a learner reads before predicting: source, the queue or mapping in between, the function, where
failures go, the settings, the handler's behaviour and the inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from study.lab.lab_file import Lab
from study.lab.whatif import normal_value, show_setting
from study.playback.entries import short_target


@dataclass
class Setup:
    source: str
    path: str  # the queue, mapping or call in between
    function: str
    failure: list[str]  # DLQ and destinations, or what the caller gets
    settings: list[tuple[str, str]]  # AWS names and values
    behaviour: list[str]
    inputs: str
    input_lines: list[tuple[str, str]] = field(default_factory=list)  # (id at t, every other field in full)
    handler_source: str | None = None  # a real handler's code, shown before predicting
    handler_file: str | None = None


def describe_setup(lab: Lab) -> Setup:
    """What the learner needs to predict: source -> queue or mapping -> function -> DLQ and destinations."""
    data = lab.data
    sc = lab.scenario
    trig = sc.trigger if sc is not None else dict(data.get("trigger") or {})
    fn = sc.function if sc is not None else dict(data.get("function") or {})
    t = lab.trigger_type
    q = trig.get("Queue") or {}
    stream = trig.get("Stream") or {}
    source = {
        "sync": "client (Invoke, RequestResponse)",
        "async": "caller (Invoke, InvocationType Event)",
        "s3": f"S3 bucket {trig.get('Bucket', 'demo-bucket')}",
        "sns": f"SNS topic {trig.get('TopicName', 'demo-topic')}",
        "eventbridge": f"EventBridge bus {trig.get('EventBusName', 'default')}",
        "schedule": f"EventBridge rule {trig.get('Name', 'demo-rule')}",
        "sqs": f"SQS queue {q.get('QueueName', 'demo-queue')}",
        "kinesis": f"Kinesis stream {stream.get('StreamName', 'demo-stream')} ({stream.get('ShardCount', 1)} shard(s))",
        "dynamodb": f"DynamoDB stream of {stream.get('TableName', 'demo-table')}",
        "alb": "Application Load Balancer",
    }.get(t, t)
    path = {
        "sync": "synchronous invoke (caller waits)",
        "alb": "target group (sync invoke)",
        "sqs": "event source mapping (poller)",
        "kinesis": "event source mapping (poller)",
        "dynamodb": "event source mapping (poller)",
    }.get(t, "Lambda's internal event queue (async)")
    name = fn.get("FunctionName", "demo")
    function = f"λ {name} · {fn.get('MemorySize', 128)} MB · Timeout {fn.get('Timeout', 3)} s"
    failure: list[str] = []
    dlq = (fn.get("DeadLetterConfig") or {}).get("TargetArn")
    dests = trig.get("DestinationConfig") or {}
    for which in ("OnSuccess", "OnFailure"):
        dest = (dests.get(which) or {}).get("Destination")
        if dest:
            failure.append(f"{which} → {short_target(dest)}")
    if dlq:  # shown as configured: whether it is used is for the learner to predict
        failure.append(f"DLQ → {short_target(dlq)}")
    target_dlq = (trig.get("DeadLetterConfig") or {}).get("Arn")
    if target_dlq:
        failure.append(f"rule's DLQ → {short_target(target_dlq)}")
    rp = q.get("RedrivePolicy") if isinstance(q, dict) else None
    if rp:
        failure.append(f"queue redrive → {short_target(rp.get('deadLetterTargetArn', '?'))} after "
                       f"{rp.get('maxReceiveCount')} receives")
    if t in ("sync", "alb"):
        failure.append("errors go back to the caller")
    if not failure:
        failure.append("no DLQ or destination")
    settings = _settings(lab, trig, fn)
    source_code, handler_file = _handler_source(lab)
    return Setup(source, path, function, failure, settings, _behaviour(data), _inputs(data, t),
                 _input_lines(data, t), source_code, handler_file)


def _handler_source(lab: Lab) -> tuple[str | None, str | None]:
    """A real handler's file, read so the learner can see the code the questions are about."""
    handler = (lab.data.get("function") or {}).get("handler") if isinstance(lab.data, dict) else None
    if not isinstance(handler, str) or ":" not in handler:
        return None, None
    rel = handler.rsplit(":", 1)[0]
    try:
        return (lab.base_dir / rel).read_text(encoding="utf-8"), rel
    except OSError:
        return None, rel


def _input_lines(data: dict, ttype: str) -> list[tuple[str, str]]:
    """Every input with every field it has (method, path, query string, headers, body; body, attributes,
    delay, group; partition key and data; keys and images; source, detail-type and detail; key and event
    type; message and attributes; the payload), in full: the questions may be about any of them."""
    import json

    out: list[tuple[str, str]] = []
    for item in data.get("inputs") or []:
        if not isinstance(item, dict):
            continue
        at = item.get("at", 0)
        if "count" in item:
            rest = {k: v for k, v in item.items() if k not in ("at", "count", "prefix")}
            head = f"{item.get('prefix')}1..{item.get('prefix')}{item.get('count')} at {at:g} s"
            extra = "; ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in rest.items())
            out.append((head, f"{item.get('count')} inputs" + (f"; {extra}" if extra else "")))
            continue
        head = f"{item.get('id')} at {at:g} s" if isinstance(at, int | float) else f"{item.get('id')} at {at}"
        rest = {k: v for k, v in item.items() if k not in ("at", "id")}
        out.append((head, "; ".join(f"{k}: {v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}"
                                    for k, v in rest.items()) or "(no fields)"))
    return out


_HIDDEN = {"type", "effective_visibility_timeout", "permitted", "TargetGroupArn", "QueueArn", "StreamArn",
           "BucketArn", "mapping_at", "StartingPositionTimestamp"}


def _flatten(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if k in _HIDDEN or k.endswith("Arn") and k not in ("deadLetterTargetArn", "TargetArn", "Arn"):
                continue
            _flatten(f"{prefix}.{k}" if prefix else k, v, out)
        return
    if value is None:
        return
    out.append((prefix, show_setting(normal_value(value)) if not isinstance(value, str) else short_target(value)))


def _settings(lab: Lab, trig: dict, fn: dict) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    _flatten("", {k: v for k, v in trig.items() if k not in _HIDDEN}, out)
    for key in ("MemorySize", "Timeout", "ReservedConcurrentExecutions"):
        if fn.get(key) is not None:
            out.append((key, show_setting(fn[key])))
    dlq = (fn.get("DeadLetterConfig") or {}).get("TargetArn")
    if dlq:
        out.append(("DeadLetterConfig.TargetArn", short_target(dlq)))
    if fn.get("init_duration"):
        out.append(("init_duration", f"{fn['init_duration']:g} s"))
    if fn.get("idle_ttl") not in (None, 300, 300.0):
        out.append(("idle_ttl", f"{fn['idle_ttl']:g} s"))
    if fn.get("ResourcePolicy") is not None:
        out.append(("ResourcePolicy", ", ".join(str(s.get("Principal")) for s in fn["ResourcePolicy"]) or "none"))
    if fn.get("Role") is not None:
        out.append(("Role.Policies", ", ".join(fn["Role"].get("Policies") or []) or "none"))
    profile = lab.scenario.profile if lab.scenario is not None else lab.data.get("profile", "exam")
    out.append(("profile", str(profile)))
    return out


def _ids_text(ids: Any) -> str:
    if isinstance(ids, dict):
        return ", ".join(f"{k} (first {v})" if v else str(k) for k, v in ids.items())
    if isinstance(ids, list):
        return ", ".join(str(x) for x in ids)
    return str(ids)


def _behaviour(data: dict) -> list[str]:
    fn = data.get("function") or {}
    b = fn.get("behavior") or {}
    lines = []
    if fn.get("handler"):
        lines.append(f"runs real code: {fn['handler']}")
    duration = b.get("duration", 0)
    per = b.get("duration_per_record")
    lines.append(f"each run takes {duration:g} s" + (f" + {per:g} s per record" if per else ""))
    if b.get("fail") == "always":
        lines.append("throws an error on every run")
    if b.get("fail_attempts"):
        lines.append("throws on attempt(s) " + ", ".join(str(a) for a in b["fail_attempts"]))
    if b.get("fail_records"):
        fr = b["fail_records"]
        if isinstance(fr, dict):
            lines.append("throws when the event holds " + ", ".join(
                f"{k} (its first {v} deliveries)" if v else str(k) for k, v in fr.items()))
        else:
            lines.append(f"throws whenever the event holds {_ids_text(fr)}")
    if b.get("report_failures"):
        lines.append(f"reports {_ids_text(b['report_failures'])} in batchItemFailures")
    if "returns" in b:
        import json

        lines.append("returns " + json.dumps(b["returns"], separators=(", ", ": "), ensure_ascii=False))
    if len(lines) == 1 and not b.get("fail"):
        lines.append("succeeds")
    return lines


def _inputs(data: dict, ttype: str) -> str:
    items = data.get("inputs") or []
    if ttype == "schedule":
        return "no inputs: the rule fires by itself"
    parts = []
    for item in items[:6]:
        if not isinstance(item, dict):
            continue
        at = item.get("at", 0)
        if "count" in item:
            parts.append(f"{item.get('prefix')}1..{item.get('prefix')}{item.get('count')} at {at} s")
        else:
            extra = ""
            if ttype == "s3":
                extra = f" {item.get('op', 'put')} {item.get('key', '')}"
            elif item.get("group") is not None:
                extra = f" (group {item['group']})"
            parts.append(f"{item.get('id')}{extra} at {at} s")
    more = f" and {len(items) - 6} more" if len(items) > 6 else ""
    return "; ".join(parts) + more
