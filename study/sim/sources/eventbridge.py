"""EventBridge -> Lambda: an event put on the bus reaches the function asynchronously when it matches the
rule's pattern; a rule target may have its own dead-letter queue (eventbridge.*, docs/emulator.md §5)."""

from __future__ import annotations

from typing import Any

from study.sim import payloads
from study.sim.scenario.arns import arn_kind
from study.sim.scenario.checker import Checker, TriggerRules
from study.sim.sources.async_ import ASYNC_KEYS, AsyncSource, check_settings
from study.sim.sources.base import MAPPING_ONLY_HINTS


def check_trigger(c: Checker, raw: dict, p: tuple, function: dict) -> dict:
    out = check_settings(c, raw, p)
    pattern = raw.get("EventPattern")
    if pattern is None:
        raise c.fail(p, "EventPattern: required for an eventbridge rule (use schedule for a timed rule)")
    pattern = c.mapping(pattern, (*p, "EventPattern"), "EventPattern")
    check_pattern(c, pattern, (*p, "EventPattern"))
    out["EventPattern"] = pattern
    out["EventBusName"] = c.string(raw, "EventBusName", p, "default")
    out["Name"] = c.string(raw, "Name", p, "demo-rule")
    out.update(check_target_dlq(c, raw, p))
    return out


def check_target_dlq(c: Checker, raw: dict, p: tuple) -> dict:
    """The rule target's DeadLetterConfig (eventbridge.retry-layers, docs/emulator.md §5): a standard SQS queue
    for events EventBridge cannot deliver. Only in the trace when the scenario sets it, so scenarios without
    one keep their traces."""
    if "DeadLetterConfig" not in raw:
        return {}
    dp = (*p, "DeadLetterConfig")
    dlq = c.mapping(raw["DeadLetterConfig"], dp, "DeadLetterConfig")
    c.unknown(dlq, {"Arn"}, dp, "DeadLetterConfig", {
        "TargetArn": "TargetArn: the rule target's dead-letter queue is DeadLetterConfig: {Arn: ...}; "
                     "TargetArn belongs to the function's own DeadLetterConfig"})
    arn = dlq.get("Arn")
    if arn is not None:
        arn = c.destination(arn, (*dp, "Arn"), "Arn")
        if arn_kind(arn) != "sqs":
            raise c.fail((*dp, "Arn"), "Arn: an EventBridge dead-letter queue must be an SQS queue "
                         "(sqs:NAME or an SQS queue ARN)")
        if arn.endswith(".fifo"):
            raise c.fail((*dp, "Arn"), "Arn: EventBridge dead-letter queues must be standard queues; a FIFO "
                         "queue cannot be one")
    return {"DeadLetterConfig": {"Arn": arn}}


def check_pattern(c: Checker, pattern: dict, p: tuple) -> None:
    for k, v in pattern.items():
        if isinstance(v, dict):
            check_pattern(c, v, (*p, k))
        elif isinstance(v, list):
            for i, item in enumerate(v):
                if isinstance(item, dict) and set(item) - {"prefix"}:
                    raise c.fail((*p, k, i), f"EventPattern.{k}: only exact values and {{prefix: ...}} are modelled")
        else:
            raise c.fail((*p, k), f"EventPattern.{k}: expected a list of values or a nested pattern "
                         "(InvalidEventPatternException: Event pattern is not valid)")


def check_input(c: Checker, one: dict, p: tuple, trigger: dict) -> None:
    one["source"] = c.string(one, "source", p, "custom.app")
    one["detail-type"] = c.string(one, "detail-type", p, "Custom Event")
    detail = one.get("detail", {})
    if not isinstance(detail, dict):
        raise c.fail((*p, "detail"), "detail: expected a mapping")
    one["detail"] = detail


RULES = TriggerRules(keys=frozenset({"EventPattern", "EventBusName", "Name", "DeadLetterConfig"}) | ASYNC_KEYS,
                     check=check_trigger, input_keys=frozenset({"at", "id", "source", "detail-type", "detail"}),
                     check_input=check_input, hints=MAPPING_ONLY_HINTS)


class EventBridgeSource(AsyncSource):
    accept_rule = "eventbridge.async"

    def event(self, item: dict) -> Any:
        event = payloads.eventbridge_event(self.e, item, self.t)
        if not payloads.pattern_matches(self.t["EventPattern"], event):
            return self.filtered(item["id"], "eventbridge.event-pattern")
        return event
