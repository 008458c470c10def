"""Loading a scenario: read the file (study/sim/yamlpos.py), then check its parts in order, each complaint at its
`file:line:col`: the top level here, the function, the trigger by its own rules (study/sim/scenario/triggers.py),
the inputs, any extra top-level block a caller checks (the lab package checks a lab's `lab:` block this way:
study/lab/labblock.py), the permissions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from study.sim import yaml_positions, yamlpos
from study.sim.errors import ScenarioError
from study.sim.misconceptions import KNOWN as KNOWN_MISCONCEPTIONS
from study.sim.misconceptions import Switched
from study.sim.scenario.checker import Checker, show
from study.sim.scenario.defaults import (
    ACCOUNT_CONCURRENCY,
    MAX_INVOCATIONS,
    START_TIME,
    TOP_KEYS,
    TRIGGER_TYPES,
)
from study.sim.scenario.function import check_function
from study.sim.scenario.inputs import check_inputs
from study.sim.scenario.model import Scenario
from study.sim.scenario.permission_checks import check_permissions
from study.sim.scenario.profiles import DEFAULT as DEFAULT_PROFILE
from study.sim.scenario.profiles import PROFILES
from study.sim.scenario.triggers import TRIGGERS

# A check of one top-level block the emulator itself does not read (a lab's `lab:`), given by the layer that owns it.
BlockChecks = Mapping[str, Callable[[Checker, Any], None]]


def load_scenario(path: str | Path, misconceptions=frozenset(), block_checks: BlockChecks | None = None) -> Scenario:
    """Read, parse and validate a scenario file. Raises ScenarioError (file:line:col) for bad input."""
    path = Path(path)
    data, marks = yamlpos.load_file(str(path))
    return build_scenario(data, marks, str(path), path.resolve().parent, misconceptions, block_checks)


def parse_scenario(text: str, file: str = "<scenario>", base_dir: Path | None = None,
                   misconceptions=frozenset()) -> Scenario:
    data, marks = yamlpos.load(text, file)
    return build_scenario(data, marks, file, base_dir or Path.cwd(), misconceptions)


def build_scenario(data: Any, marks: yaml_positions.Marks, file: str, base_dir: Path,
                   misconceptions=frozenset(), block_checks: BlockChecks | None = None) -> Scenario:
    misconceptions = frozenset(misconceptions)
    for m in misconceptions:
        if m not in KNOWN_MISCONCEPTIONS:
            raise ScenarioError(f"unknown misconception {m!r}", file)
    misconceptions = Switched(misconceptions)  # every later `"id" in misconceptions` is checked against KNOWN
    c = Checker(file, marks, misconceptions=misconceptions)
    top = c.mapping(data, (), "the scenario")
    if data is None:
        raise ScenarioError("the file is empty; expected a scenario with title and trigger", file, 1, 1)
    c.unknown(top, TOP_KEYS, (), "a scenario")
    title = c.string(top, "title", (), required=True)
    section = c.string(top, "section", ())
    profile = c.string(top, "profile", (), DEFAULT_PROFILE, tuple(PROFILES))
    c.profile = profile
    seed = c.integer(top, "seed", (), 0, 0, 2**63 - 1)
    start_raw = top.get("start_time", START_TIME)
    start_time = parse_time(start_raw, c, ("start_time",))
    until_ms = c.seconds(top, "until", (), None, 0)
    account = c.integer(top, "account_concurrency", (), ACCOUNT_CONCURRENCY, 1, 100000)
    strict = c.boolean(top, "strict_permissions", (), False)
    max_inv = c.integer(top, "max_invocations", (), MAX_INVOCATIONS, 1, 10_000_000)

    fn_raw = c.mapping(top.get("function"), ("function",), "function")
    trig_raw = c.mapping(top.get("trigger"), ("trigger",), "trigger")
    if "trigger" not in top:
        raise c.fail((), "trigger: required (one of " + ", ".join(TRIGGER_TYPES) + ")")
    ttype = c.string(trig_raw, "type", ("trigger",), None, TRIGGER_TYPES, required=True)

    function, behavior, handler = check_function(c, fn_raw, account, ttype)
    trigger = _trigger(c, trig_raw, ttype, function)
    inputs = check_inputs(c, top, ttype, trigger, base_dir)
    lab = top.get("lab")
    for key, check in (block_checks or {}).items():
        if top.get(key) is not None:
            check(c, top[key])
    expect = top.get("expect")
    if expect is not None and not isinstance(expect, dict):
        raise c.fail(("expect",), "expect: expected a mapping of expectations")

    scenario = Scenario(
        file=file, title=title, section=section, profile=profile, seed=seed, start_time=start_time,
        until_ms=until_ms, account_concurrency=account, strict_permissions=strict, max_invocations=max_inv,
        function=function, trigger=trigger, inputs=inputs, behavior=behavior, handler=handler,
        base_dir=base_dir, misconceptions=misconceptions, lab=lab, expect=expect, raw=top,
    )
    check_permissions(c, scenario, TRIGGERS[ttype])
    return scenario


def parse_time(value: Any, c: Checker, path: tuple) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise c.fail(path, f"start_time: {value!r} is not an ISO-8601 time such as 2026-01-01T00:00:00Z") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    raise c.fail(path, f"start_time: expected an ISO-8601 time, got {show(value)}")


def _trigger(c: Checker, raw: dict, ttype: str, function: dict) -> dict:
    p = ("trigger",)
    rules = TRIGGERS[ttype]
    allowed = set(rules.keys) | {"type"}
    for mid, keys in rules.misconception_keys.items():
        if mid in c.misconceptions:
            allowed |= keys
    c.unknown(raw, allowed, p, f"a {ttype} trigger", rules.hints)
    out: dict[str, Any] = {"type": ttype}
    out.update(rules.check(c, raw, p, function))
    return out


def scenario_from_dict(data: dict, file: str = "<generated>", base_dir: Path | None = None,
                       misconceptions=frozenset()) -> Scenario:
    """A scenario built in code (the question generator's templates); errors carry no line numbers."""
    return build_scenario(data, yaml_positions.Marks(), file, base_dir or Path.cwd(), misconceptions)
