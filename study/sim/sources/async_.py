"""Lambda's internal event queue for asynchronous invocation (Event): 202 at once, retries at +60 s and +120 s
from the end of the failed attempt, event age, DLQ and destinations (async.*, docs/emulator.md §4). The S3,
SNS, EventBridge and schedule sources are fronts on this queue and share its settings (`check_settings`)."""

from __future__ import annotations

from typing import Any

from study.sim import payloads
from study.sim.engine import P_START, Engine, throttle_delay_s
from study.sim.scenario.arns import arn_kind
from study.sim.scenario.checker import Checker, TriggerRules
from study.sim.scenario.defaults import LIMITS, MS
from study.sim.scenario.destinations import allowed_kinds, check_destinations
from study.sim.sources.base import MAPPING_ONLY_HINTS, Source

RETRY_DELAYS_S = (60, 120)  # async.retry-schedule: after the first and second failed attempts, from the end of the attempt
ASYNC_KEYS = frozenset({"MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"})


def check_settings(c: Checker, raw: dict, p: tuple) -> dict:
    """EventInvokeConfig: the retries, the event age and the destinations every async trigger has."""
    lo, hi, d = LIMITS["async.MaximumRetryAttempts"]
    if "async-three-retries" in c.misconceptions:
        hi = 3
    retries = c.integer(raw, "MaximumRetryAttempts", p, d, lo, hi, "maximumRetryAttempts")
    age = c.setting(raw, "MaximumEventAgeInSeconds", p, "async.MaximumEventAgeInSeconds", "maximumEventAgeInSeconds")
    allowed = allowed_kinds(c, ("sqs", "sns", "lambda", "events"))
    dest = check_destinations(c, raw.get("DestinationConfig"), (*p, "DestinationConfig"), allowed, "async")
    return {"MaximumRetryAttempts": retries, "MaximumEventAgeInSeconds": age, "DestinationConfig": dest}


def check_trigger(c: Checker, raw: dict, p: tuple, function: dict) -> dict:
    return check_settings(c, raw, p)


RULES = TriggerRules(keys=ASYNC_KEYS, check=check_trigger, input_keys=frozenset({"at", "id", "payload"}),
                     hints=MAPPING_ONLY_HINTS)


def dlq_attributes(request_id: str, code: int, error: dict | None) -> dict:
    """The message attributes of a function's dead-letter queue delivery (async.dlq)."""
    message = (error or {}).get("errorMessage", "") if isinstance(error, dict) else str(error)
    return {"RequestID": request_id, "ErrorCode": code, "ErrorMessage": str(message)[:1024]}


FILTERED = object()  # what AsyncSource.event returns for an input its source filters out


class AsyncItem:
    __slots__ = ("ids", "payload", "accepted", "runs", "throttle_k", "request_id", "last", "key", "throttled")

    def __init__(self, ids: list[str], payload: Any, accepted: int, request_id: str, key: str):
        self.ids = ids
        self.payload = payload
        self.accepted = accepted
        self.runs = 0
        self.throttle_k = 0
        self.request_id = request_id
        self.last = None
        self.key = key
        self.throttled = False


class AsyncSource(Source):
    """Lambda's internal event queue: 202 at once, retries at +60 s and +120 s, event age, DLQ, destinations."""

    accept_rule = "async.accepted-202"

    def __init__(self, engine: Engine):
        super().__init__(engine)
        self.max_retries = self.t["MaximumRetryAttempts"]
        if "async-retries-total-attempts" in engine.mis:
            self.max_retries = max(0, self.max_retries - 1)
        if "async-three-retries" in engine.mis:
            self.max_retries = 3
        self.max_age_ms = self.t["MaximumEventAgeInSeconds"] * MS
        dest = self.t["DestinationConfig"]
        self.on_success = dest["OnSuccess"]["Destination"]
        self.on_failure = dest["OnFailure"]["Destination"]
        self.dlq = self.s.function["DeadLetterConfig"]["TargetArn"]
        # With strict permissions, an EventBridge rule or SNS subscription exists but cannot invoke the function.
        self.permitted = self.t.get("permitted", True)
        self.target_dlq = (self.t.get("DeadLetterConfig") or {}).get("Arn")  # an EventBridge rule target's DLQ

    def arrive(self, item: dict) -> None:
        iid = item["id"]
        self.e.tl("arrive", self.accept_rule, input=iid)
        event = self.event(item)
        if event is not FILTERED:
            self.accept([iid], event, iid)

    def event(self, item: dict) -> Any:
        """The event the function receives for an input, or FILTERED (after `filtered`) when it gets none."""
        return item.get("payload")

    def filtered(self, iid: str, rule: str) -> Any:
        """The input's event does not pass the source's filter: nothing is invoked."""
        self.e.tl("filtered", rule, input=iid)
        self.e.settle(iid, "filtered")
        return FILTERED

    def accept(self, ids: list[str], payload: Any, key: str) -> None:
        e = self.e
        if not self.permitted:
            # A permission error is not retried: EventBridge sends the event straight to the rule target's DLQ
            # if there is one (eventbridge.retry-layers), else it is lost.
            if self.target_dlq:
                e.deliver("target_dlq", self.target_dlq, list(ids), payload,
                          payloads.target_dlq_attributes(e, self.t), rule="eventbridge.target-dlq")
            else:
                e.tl("discard", "permissions.resource-policy", inputs=list(ids), reason="FailedInvocations")
            for iid in ids:
                e.settle(iid, "dead_lettered" if self.target_dlq else "dropped")
            return
        item = AsyncItem(ids, payload, e.now, e.ids.uuid("request", key), key)
        if e.reserved == 0:
            # async.reserved-zero: straight to the failure targets, nothing runs; the refused call counts as a throttle.
            e.throttles += 1
            e.tl("throttle", "async.reserved-zero", inputs=list(ids))
            self.fail(item, "RetriesExhausted", error_code=429)
            return
        e.at(e.now, P_START, self.attempt, item)

    def attempt(self, item: AsyncItem) -> None:
        e = self.e
        if e.now - item.accepted > self.max_age_ms:  # async.event-age, checked when the attempt is due
            e.tl("expire", "async.event-age", inputs=list(item.ids))
            self.fail(item, "EventAgeExceeded", error_code=429 if item.throttled and item.last is None else 200)
            return
        if not e.can_run():
            e.throttles += 1
            item.throttled = True
            delay = throttle_delay_s(item.throttle_k)
            item.throttle_k += 1
            e.tl("throttle", "async.throttle-backoff", inputs=list(item.ids), retry_in=delay)
            if "throttle-uses-retries" in e.mis:
                item.runs += 1
                if item.runs - 1 >= self.max_retries:
                    self.fail(item, "RetriesExhausted", error_code=429)
                    return
            e.at(e.now + delay * MS, P_START, self.attempt, item)
            return
        e.start_run(list(item.ids), item.payload, item.runs + 1, item.request_id, lambda inv: self.ended(item, inv))

    def ended(self, item: AsyncItem, inv) -> None:
        e = self.e
        item.runs += 1
        item.last = inv
        if inv.status == "success":
            if self.on_success:
                record = payloads.invocation_record(e, item.request_id, "Success", item.runs, item.payload, inv)
                self.send("on_success", self.on_success, item, record, True)
            for iid in item.ids:
                e.settle(iid, "succeeded")
            return
        if item.runs - 1 < self.max_retries:
            index = min(item.runs - 1, 1)
            delay = RETRY_DELAYS_S[index]
            if "async-equal-delays" in e.mis:
                delay = 60
            base = inv.start if "async-retry-from-start" in e.mis else inv.end
            due = base + delay * MS
            e.tl("retry_scheduled", "async.retry-schedule", inputs=list(item.ids), attempt=item.runs + 1,
                 due=due / MS)
            e.at(due, P_START, self.attempt, item)
            return
        self.fail(item, "RetriesExhausted", error_code=200)

    def send(self, kind: str, target: str, item: AsyncItem, record: dict, success: bool) -> None:
        e = self.e
        message = record
        if arn_kind(target) == "events":
            message = payloads.eventbridge_wrap(e, record, target, success, f"{item.key}|{kind}")
        e.deliver(kind, target, list(item.ids), message, rule="destinations.async")

    def fail(self, item: AsyncItem, condition: str, error_code: int) -> None:
        e = self.e
        sent = False
        if self.on_failure:
            record = payloads.invocation_record(e, item.request_id, condition, item.runs, item.payload, item.last)
            self.send("on_failure", self.on_failure, item, record, False)
            sent = True
        if self.dlq:
            error = item.last.error if item.last is not None else {
                "errorMessage": "Event age exceeded" if condition == "EventAgeExceeded" else "Rate Exceeded."}
            e.deliver("dlq", self.dlq, list(item.ids), item.payload, dlq_attributes(item.request_id, error_code, error),
                      rule="async.dlq")
            sent = True
        if not sent:
            e.tl("discard", "async.retry-attempts", inputs=list(item.ids), reason=condition)
        for iid in item.ids:
            e.settle(iid, "dead_lettered" if sent else "dropped")
