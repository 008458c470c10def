"""ALB -> Lambda: each HTTP request becomes an event; the function's answer, or a 502, goes back to the client
(alb.*). docs/emulator.md §3."""

from __future__ import annotations

import json

from study.sim import payloads
from study.sim.scenario.checker import Checker, TriggerRules
from study.sim.scenario.defaults import ACCOUNT, REGION
from study.sim.sources.base import MAPPING_ONLY_HINTS
from study.sim.sources.sync import SyncSource


def check_trigger(c: Checker, raw: dict, p: tuple, function: dict) -> dict:
    return {"MultiValueHeaders": c.boolean(raw, "MultiValueHeaders", p, False),
            "TargetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/demo-tg/6d0ecf831eec9f09"}


def check_input(c: Checker, one: dict, p: tuple, trigger: dict) -> None:
    one["method"] = c.string(one, "method", p, "GET")
    path = c.string(one, "path", p, "/")
    if not path.startswith("/"):
        raise c.fail((*p, "path"), "path: expected a path starting with /")
    one["path"] = path
    headers = one.get("headers") or []
    if isinstance(headers, dict):
        headers = [[k, v] for k, v in headers.items()]
    if not isinstance(headers, list) or not all(
            isinstance(h, list) and len(h) == 2 and isinstance(h[0], str) for h in headers):
        raise c.fail((*p, "headers"), "headers: expected a list of [name, value] pairs")
    one["headers"] = [[h[0], str(h[1])] for h in headers]
    body = one.get("body")
    if body is not None and not isinstance(body, str):
        body = json.dumps(body, separators=(",", ":"))
    one["body"] = body


RULES = TriggerRules(keys=frozenset({"MultiValueHeaders"}), check=check_trigger,
                     input_keys=frozenset({"at", "id", "method", "path", "headers", "body"}), check_input=check_input,
                     hints=MAPPING_ONLY_HINTS,
                     unpermitted="the function's resource-based policy has no statement for {principal}, so the "
                                 "target cannot be registered (AccessDenied: elasticloadbalancing principal does not "
                                 "have permission to invoke the function from target group demo-tg)")


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
