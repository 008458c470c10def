"""Permissions (permissions.*, docs/emulator.md §8): the execution role and the function's resource-based policy
as a scenario writes them, and with `strict_permissions` the configurations AWS would refuse for lack of them.
The IAM tables they are checked against are study/sim/permissions.py (shared with the fact questions)."""

from __future__ import annotations

from typing import Any

from study.sim.permissions import MANAGED_POLICIES, PULL_ACTIONS, PUSH_PRINCIPALS, SEND_ACTIONS
from study.sim.scenario.arns import arn_kind
from study.sim.scenario.checker import Checker, TriggerRules
from study.sim.scenario.model import Scenario


def check_role(c: Checker, raw: Any, p: tuple) -> dict | None:
    if raw is None:
        return None
    raw = c.mapping(raw, p, "Role")
    c.unknown(raw, {"Policies", "Actions"}, p, "Role")
    policies = raw.get("Policies") or []
    actions = raw.get("Actions") or []
    if not isinstance(policies, list) or not all(isinstance(x, str) for x in policies):
        raise c.fail((*p, "Policies"), "Policies: expected a list of managed policy names")
    for i, name in enumerate(policies):
        if name not in MANAGED_POLICIES:
            raise c.fail((*p, "Policies", i), f"Policies: {name!r} is not a managed policy this emulator knows; "
                         f"expected one of {', '.join(sorted(MANAGED_POLICIES))}")
    if not isinstance(actions, list) or not all(isinstance(x, str) and ":" in x for x in actions):
        raise c.fail((*p, "Actions"), "Actions: expected a list of IAM actions such as sqs:SendMessage")
    return {"Policies": list(policies), "Actions": list(actions)}


def check_resource_policy(c: Checker, raw: Any, p: tuple) -> list | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise c.fail(p, "ResourcePolicy: expected a list of statements such as {Principal: s3.amazonaws.com}")
    out = []
    for i, st in enumerate(raw):
        st = c.mapping(st, (*p, i), "ResourcePolicy statement")
        c.unknown(st, {"Principal", "Action", "SourceArn"}, (*p, i), "a ResourcePolicy statement")
        principal = c.string(st, "Principal", (*p, i), required=True)
        action = c.string(st, "Action", (*p, i), "lambda:InvokeFunction")
        out.append({"Principal": principal, "Action": action, "SourceArn": st.get("SourceArn")})
    return out

def check_permissions(c: Checker, s: Scenario, rules: TriggerRules) -> None:
    """With strict_permissions, refuse the configurations AWS would refuse. `rules`: the trigger's (what a missing
    resource-policy statement is refused with)."""
    if not s.strict_permissions:
        return
    fn = s.function
    role = fn["Role"] or {"Policies": [], "Actions": []}
    granted = set(role["Actions"])
    for pol in role["Policies"]:
        granted |= MANAGED_POLICIES[pol]
    t = s.type
    if t in PULL_ACTIONS:
        _, service, actions = PULL_ACTIONS[t]
        missing = [a for a in actions if a not in granted]
        if missing:
            name = missing[0].split(":")[1]
            raise c.fail(("function", "Role") if fn["Role"] else ("trigger",),
                         f"the execution role lacks {', '.join(missing)} for the {service} event source mapping "
                         f"(InvalidParameterValueException: The provided execution role does not have permissions "
                         f"to call {name} on {service})")
    dests: list[tuple[str, tuple]] = []
    if fn["DeadLetterConfig"]["TargetArn"]:
        dests.append((fn["DeadLetterConfig"]["TargetArn"], ("function", "DeadLetterConfig")))
    for which, entry in (s.trigger.get("DestinationConfig") or {}).items():
        if entry.get("Destination"):
            dests.append((entry["Destination"], ("trigger", "DestinationConfig", which)))
    for arn, path in dests:
        action, name, service = SEND_ACTIONS[arn_kind(arn)]
        if action not in granted:
            raise c.fail(path, f"the execution role lacks {action} for {arn} "
                         f"(InvalidParameterValueException: The provided execution role does not have permissions "
                         f"to call {name} on {service})")
    principal = PUSH_PRINCIPALS.get(t)
    if principal:
        stmts = fn["ResourcePolicy"] or []
        ok = any(st["Principal"] == principal and st["Action"] in ("lambda:InvokeFunction", "lambda:*")
                 for st in stmts)
        s.trigger["permitted"] = ok
        if not ok:
            where = ("function", "ResourcePolicy") if fn["ResourcePolicy"] is not None else ("trigger",)
            if rules.unpermitted:
                raise c.fail(where, rules.unpermitted.format(principal=principal))
            # An EventBridge rule (and an SNS subscription) is created anyway; each delivery then fails
            # (FailedInvocations / delivery failures): its events go to the rule target's DLQ if it has one
            # (study/sim/sources/async_.py, AsyncSource.accept), else they are dropped.
