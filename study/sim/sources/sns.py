"""SNS -> Lambda: a message published to the topic reaches the function asynchronously, if its attributes pass
the subscription's filter policy (sns.*, docs/emulator.md §4)."""

from __future__ import annotations

import json
from typing import Any

from study.sim import payloads
from study.sim.scenario.checker import Checker, TriggerRules
from study.sim.sources.async_ import ASYNC_KEYS, AsyncSource, check_settings
from study.sim.sources.base import MAPPING_ONLY_HINTS


def check_trigger(c: Checker, raw: dict, p: tuple, function: dict) -> dict:
    out = check_settings(c, raw, p)
    out["TopicName"] = c.string(raw, "TopicName", p, "demo-topic")
    fp = raw.get("FilterPolicy")
    if fp is not None:
        fp = c.mapping(fp, (*p, "FilterPolicy"), "FilterPolicy")
        for k, v in fp.items():
            if not isinstance(v, list) or not v:
                raise c.fail((*p, "FilterPolicy", k), f"FilterPolicy.{k}: expected a list of allowed values")
    out["FilterPolicy"] = fp
    return out


def check_input(c: Checker, one: dict, p: tuple, trigger: dict) -> None:
    msg = one.get("message", one["id"])
    if not isinstance(msg, str):
        msg = json.dumps(msg, separators=(",", ":"))
    one["message"] = msg
    attrs = one.get("attributes") or {}
    if not isinstance(attrs, dict):
        raise c.fail((*p, "attributes"), "attributes: expected a mapping of message attributes")
    one["attributes"] = attrs


RULES = TriggerRules(keys=frozenset({"TopicName", "FilterPolicy"}) | ASYNC_KEYS, check=check_trigger,
                     input_keys=frozenset({"at", "id", "message", "subject", "attributes"}), check_input=check_input,
                     hints=MAPPING_ONLY_HINTS)


class SnsSource(AsyncSource):
    accept_rule = "sns.async"

    def event(self, item: dict) -> Any:
        if not payloads.sns_filter_passes(self.t.get("FilterPolicy"), item["attributes"]):
            return self.filtered(item["id"], "sns.async")
        return payloads.sns_event(self.e, item, self.t)
