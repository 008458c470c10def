"""Synchronous invocation (RequestResponse): the caller waits for the answer; Lambda never retries
(sync.no-retry) and answers 429 when throttled (sync.throttle-429). docs/emulator.md §3."""

from __future__ import annotations

import json

from study.sim.engine import P_START
from study.sim.scenario.checker import Checker, TriggerRules
from study.sim.scenario.defaults import MS
from study.sim.sources.async_ import RETRY_DELAYS_S, dlq_attributes
from study.sim.sources.base import MAPPING_ONLY_HINTS, Source


def check_trigger(c: Checker, raw: dict, p: tuple, function: dict) -> dict:
    return {}


RULES = TriggerRules(keys=frozenset(), check=check_trigger, input_keys=frozenset({"at", "id", "payload"}),
                     hints=MAPPING_ONLY_HINTS)


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
            e.deliver("dlq", dlq, [iid], item.get("payload"), dlq_attributes(inv.request_id, 200, inv.error))
            e.settle(iid, "dead_lettered")

    def http_order(self) -> list[str]:
        return list(self.s.inputs.ids())
