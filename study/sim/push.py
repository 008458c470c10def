"""Push invocations: synchronous calls, ALB requests, and Lambda's async queue with its S3, SNS, EventBridge and
schedule fronts (docs/emulator.md §3-§5)."""

from __future__ import annotations

import json
from typing import Any

from study.sim import payloads
from study.sim.config import MS, S3_OPS, arn_kind
from study.sim.engine import P_ARRIVE, P_FIRE, P_START, Engine, throttle_delay_s

RETRY_DELAYS_S = (60, 120)  # async.retry-schedule: after the first and second failed attempts, from the end of the attempt


class Source:
    """What every trigger offers the engine."""

    def __init__(self, engine: Engine):
        self.e = engine
        self.s = engine.s
        self.t = engine.s.trigger

    def start(self) -> None:
        for item in self.s.inputs:
            self.e.at(item["at_ms"], P_ARRIVE, self.arrive, item)

    def arrive_grouped(self) -> None:
        """`start()` for a source whose arrival schedules nothing at its own instant ahead of the next arrival
        (SQS, streams): one event for the inputs sent at the same instant, which arrive in input order either way."""
        group: list[dict] = []
        for item in self.s.inputs:
            if group and item["at_ms"] != group[0]["at_ms"]:
                self.e.at(group[0]["at_ms"], P_ARRIVE, self._arrive_all, group)
                group = []
            group.append(item)
        if group:
            self.e.at(group[0]["at_ms"], P_ARRIVE, self._arrive_all, group)

    def _arrive_all(self, items: list[dict]) -> None:
        arrive = self.arrive
        for item in items:
            arrive(item)

    def arrive(self, item: dict) -> None:
        raise NotImplementedError

    def http_order(self) -> list[str]:
        return []


class SyncSource(Source):
    """RequestResponse: the caller waits; Lambda never retries (sync.no-retry); 429 when throttled (sync.throttle-429)."""

    def arrive(self, item: dict) -> None:
        e = self.e
        e.tl("arrive", "sync.callers", input=item["id"])
        self.attempt(item, 1)

    def attempt(self, item: dict, attempt: int) -> None:
        e = self.e
        iid = item["id"]
        rid = e.ids.uuid("request", iid, 1)
        if not e.can_run():
            e.throttles += 1
            e.tl("throttle", "sync.throttle-429", input=iid)
            body = {"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded", "Type": "User",
                    "message": "Rate Exceeded."}
            e.http[iid] = {"input": iid, "status": 429, "headers": {}, "body": json.dumps(body)}
            e.settle(iid, "failed")
            return
        e.start_run([iid], item.get("payload"), attempt, rid, lambda inv: self.ended(item, inv))

    def ended(self, item: dict, inv) -> None:
        e = self.e
        iid = item["id"]
        if inv.status == "success":
            e.http[iid] = {"input": iid, "status": 200, "headers": {"X-Amz-Executed-Version": "$LATEST"},
                           "body": json.dumps(inv.response)}
            e.settle(iid, "succeeded")
            return
        if "sync-retries" in e.mis and inv.attempt <= 2:
            e.tl("retry_scheduled", "sync.no-retry", input=iid, attempt=inv.attempt + 1)
            e.at(inv.end + RETRY_DELAYS_S[inv.attempt - 1] * MS, P_START, self.attempt, item, inv.attempt + 1)
            return
        e.http[iid] = {"input": iid, "status": 200,
                       "headers": {"X-Amz-Executed-Version": "$LATEST", "X-Amz-Function-Error": "Unhandled"},
                       "body": json.dumps(inv.error)}
        e.settle(iid, "failed")
        dlq = self.s.function["DeadLetterConfig"]["TargetArn"]
        if dlq and "sync-uses-dlq" in e.mis:
            e.deliver("dlq", dlq, [iid], item.get("payload"), _dlq_attrs(inv.request_id, 200, inv.error))
            e.settle(iid, "dead_lettered")

    def http_order(self) -> list[str]:
        return [i["id"] for i in self.s.inputs]


class AlbSource(SyncSource):
    """ALB → Lambda: the request becomes an event; the answer or a 502 goes back to the client (alb.*)."""

    def arrive(self, item: dict) -> None:
        e = self.e
        iid = item["id"]
        e.tl("arrive", "alb.request-event", input=iid)
        event = payloads.alb_event(e, item, self.t, e.mis)
        if not e.can_run():
            e.throttles += 1
            e.tl("throttle", "alb.error-status", input=iid)
            e.http[iid] = _alb_error(502)
            e.http[iid]["input"] = iid
            e.settle(iid, "failed")
            return
        e.start_run([iid], event, 1, e.ids.uuid("request", iid, 1), lambda inv: self.ended(item, inv))

    def ended(self, item: dict, inv) -> None:
        e = self.e
        iid = item["id"]
        multi = self.t["MultiValueHeaders"]
        answer = payloads.alb_response(inv.response, multi) if inv.status == "success" else None
        if inv.status == "success" and answer is None:
            inv.status = "error"  # LambdaInvalidResponse: AWS treats it as a failed invocation
            inv.error = {"errorType": "LambdaInvalidResponse", "errorMessage": payloads.alb_invalid_reason(inv.response)}
        if answer is None:
            if "alb-error-200" in e.mis:
                e.http[iid] = {"input": iid, "status": 200, "headers": {}, "body": json.dumps(inv.error)}
            else:
                e.http[iid] = dict(_alb_error(502), input=iid)
            e.tl("deliver", "alb.error-status", target="client", delivery="http", inputs=[iid], status=502)
            e.settle(iid, "failed")
            return
        status, headers, body = answer
        e.http[iid] = {"input": iid, "status": status, "headers": headers, "body": body}
        e.tl("deliver", "alb.response-format", target="client", delivery="http", inputs=[iid], status=status)
        e.settle(iid, "succeeded")


def _alb_error(status: int) -> dict:
    text = {502: "502 Bad Gateway", 503: "503 Service Temporarily Unavailable"}[status]
    return {"status": status, "headers": {"content-type": "text/html"},
            "body": f"<html><head><title>{text}</title></head><body><center><h1>{text}</h1></center></body></html>"}


def _dlq_attrs(request_id: str, code: int, error: dict | None) -> dict:
    message = (error or {}).get("errorMessage", "") if isinstance(error, dict) else str(error)
    return {"RequestID": request_id, "ErrorCode": code, "ErrorMessage": str(message)[:1024]}


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
        e = self.e
        e.tl("arrive", self.accept_rule, input=item["id"])
        self.accept([item["id"]], item.get("payload"), item["id"])

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
            e.deliver("dlq", self.dlq, list(item.ids), item.payload, _dlq_attrs(item.request_id, error_code, error),
                      rule="async.dlq")
            sent = True
        if not sent:
            e.tl("discard", "async.retry-attempts", inputs=list(item.ids), reason=condition)
        for iid in item.ids:
            e.settle(iid, "dead_lettered" if sent else "dropped")


class S3Source(AsyncSource):
    accept_rule = "s3.async"

    def __init__(self, engine: Engine):
        super().__init__(engine)
        self._sequencer = 0

    def start(self) -> None:
        # Coalescing (exam profile, s3.coalescing): same key, same instant, no versioning: only the last write notifies.
        super().start()
        self.coalesced: set[str] = set()
        if self.s.profile == "exam" and not self.t["Versioning"]:
            last_of: dict[tuple[int, str], str] = {}
            for item in self.s.inputs:
                if item["op"] != "delete":
                    last_of[(item["at_ms"], item["key"])] = item["id"]
            for item in self.s.inputs:
                if item["op"] != "delete" and last_of[(item["at_ms"], item["key"])] != item["id"]:
                    self.coalesced.add(item["id"])

    def arrive(self, item: dict) -> None:
        e = self.e
        iid = item["id"]
        name = S3_OPS[item["op"]]
        if item["op"] == "delete" and self.t["Versioning"]:
            name = "ObjectRemoved:DeleteMarkerCreated"
        e.tl("arrive", "s3.event-types", input=iid, key=item["key"], event=name)
        if not self._matches(item, name):
            e.tl("filtered", "s3.filters", input=iid, key=item["key"])
            e.settle(iid, "filtered")
            return
        if iid in self.coalesced:
            e.tl("coalesced", "s3.coalescing", input=iid, key=item["key"])
            e.settle(iid, "coalesced")
            return
        self._sequencer += 1
        sequencer = f"{0x0055AED6DCD90281E5 + e.now * 1000 + self._sequencer:018X}"
        event = {"Records": [payloads.s3_record(e, item, self.t, name, sequencer)]}
        self.accept([iid], event, iid)

    def _matches(self, item: dict, name: str) -> bool:
        wanted = False
        for ev in self.t["Events"]:
            ev = ev.removeprefix("s3:")
            if ev == name or (ev.endswith(":*") and name.startswith(ev[:-1])):
                wanted = True
        if not wanted:
            return False
        # Filters compare with the key as the event carries it, URL-encoded (s3.filters):
        # AWS asks for filter values written that way, so a raw space in a filter never matches.
        key = payloads.s3_event_key(item["key"])
        prefix, suffix = self.t["Filter"]["Prefix"], self.t["Filter"]["Suffix"]
        if "s3-filter-contains" in self.e.mis:
            return (not prefix or prefix in key) and (not suffix or suffix in key)
        return (not prefix or key.startswith(prefix)) and (not suffix or key.endswith(suffix))


class SnsSource(AsyncSource):
    accept_rule = "sns.async"

    def arrive(self, item: dict) -> None:
        e = self.e
        iid = item["id"]
        e.tl("arrive", "sns.async", input=iid)
        if not payloads.sns_filter_passes(self.t.get("FilterPolicy"), item["attributes"]):
            e.tl("filtered", "sns.async", input=iid)
            e.settle(iid, "filtered")
            return
        self.accept([iid], payloads.sns_event(e, item, self.t), iid)


class EventBridgeSource(AsyncSource):
    accept_rule = "eventbridge.async"

    def arrive(self, item: dict) -> None:
        e = self.e
        iid = item["id"]
        e.tl("arrive", "eventbridge.async", input=iid)
        event = payloads.eventbridge_event(e, item, self.t)
        if not payloads.pattern_matches(self.t["EventPattern"], event):
            e.tl("filtered", "eventbridge.event-pattern", input=iid)
            e.settle(iid, "filtered")
            return
        self.accept([iid], event, iid)


class ScheduleSource(AsyncSource):
    """An EventBridge rule with a schedule: each firing is an async event (inputs `fire1`, `fire2`, ...)."""

    accept_rule = "schedule.rate"

    def start(self) -> None:
        from study.sim import schedule

        # Firings are generated lazily up to just past the time cap: a schedule always has a next firing, so the
        # run stops at `until` or the cap, never as quiet.
        horizon = 7 * 24 * 3600 * MS + 86400 * MS
        self._times = schedule.firings(self.t["ScheduleExpression"], self.s.start_time, horizon // MS,
                                       at_creation="rate-fires-at-creation" in self.e.mis)
        self._n = 0
        self._next()

    def _next(self) -> None:
        t = next(self._times, None)
        if t is not None:
            self.e.at(t * MS, P_FIRE, self.fire)

    def fire(self) -> None:
        from study.sim.engine import InputState

        e = self.e
        self._n += 1
        iid = f"fire{self._n}"
        e.inputs[iid] = InputState()
        rule = "schedule.cron" if self.t["ScheduleExpression"].startswith("cron") else "schedule.rate"
        e.tl("arrive", rule, input=iid)
        self.accept([iid], payloads.scheduled_event(e, self.t, self._n), iid)
        self._next()
