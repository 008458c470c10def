"""Coding challenges (content/challenges/*.yaml): read with the safe loader, validated with file:line:col errors.

A challenge is a task for a handler the learner writes: a brief, a starter, scenarios (visible ones, and hidden ones
shown only after grading) and the checks each scenario's trace must pass, plus a model solution and typical wrong
solutions (for the tests, and named in the debrief). The scenarios are ordinary emulator scenarios without
`function.handler`: the learner's file is put there when the challenge is graded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from study import paths
from study.content import top_section
from study.sim import yamlpos
from study.sim.config import Scenario, build_scenario
from study.sim.errors import ScenarioError

TOP_KEYS = {"id", "title", "section", "rules", "brief", "handler", "starter", "solution", "wrong", "scenarios"}
SCENARIO_KEYS = {"name", "hidden", "kit", "scenario", "checks"}
CHECK_KEYS = {"name", "rule", "why", "expect", "logs", "joined"}
EXPECT_KEYS = {"invocations", "starts", "batches", "statuses", "inputs", "deliveries", "http", "events", "summary",
               "attempt_numbers", "cold_starts", "absent", "paths"}
LOG_KEYS = {"match", "count", "at_least", "at_most", "sequence"}
KIT_KEYS = {"flaky"}
WRONG_KEYS = {"name", "code", "fails"}
HANDLER_FILE = "handler.py"


@dataclass(frozen=True)
class LogCheck:
    match: str
    count: int | None = None
    at_least: int | None = None
    at_most: int | None = None
    sequence: tuple[str, ...] | None = None  # the matching lines' first group (or whole match), in log order


@dataclass(frozen=True)
class Check:
    name: str
    rule: str | None
    why: str
    expect: dict[str, Any]
    logs: tuple[LogCheck, ...] = ()
    joined: tuple[tuple[str, ...], tuple] | None = None  # (trace paths to lists, what they make joined in order)


@dataclass(frozen=True)
class ChallengeScenario:
    name: str
    hidden: bool
    data: dict[str, Any]  # the scenario mapping, without function.handler
    marks: Any
    checks: tuple[Check, ...]
    kit: dict[str, Any] = field(default_factory=dict)

    def build(self, file: str, base_dir: Path, handler: str) -> Scenario:
        """The scenario with the learner's handler file in `function.handler`."""
        import copy

        data = copy.deepcopy(self.data)
        data.setdefault("function", {})
        data["function"]["handler"] = handler
        return build_scenario(data, self.marks, file, base_dir)


@dataclass(frozen=True)
class Wrong:
    name: str
    code: str
    fails: tuple[str, ...]


@dataclass(frozen=True)
class Challenge:
    id: str
    title: str
    section: str
    rules: tuple[str, ...]
    brief: str
    handler: str  # the function's name in the learner's module
    starter: str
    solution: str
    scenarios: tuple[ChallengeScenario, ...]
    wrong: tuple[Wrong, ...]
    file: str

    @property
    def top_section(self) -> str:
        return top_section(self.section)

    @property
    def visible(self) -> list[ChallengeScenario]:
        return [s for s in self.scenarios if not s.hidden]

    @property
    def trigger(self) -> str:
        return str(self.scenarios[0].data.get("trigger", {}).get("type", "?"))


class _Prefixed(yamlpos.Marks):
    """The marks of a nested mapping, so a scenario inside a challenge reports the challenge file's lines."""

    def __init__(self, inner: yamlpos.Marks, prefix: tuple) -> None:
        super().__init__()
        self.inner, self.prefix = inner, prefix

    def get(self, path):
        return self.inner.get((*self.prefix, *tuple(path)))


def challenges_dir() -> Path:
    return paths.content_dir() / "challenges"


def challenge_files() -> list[Path]:
    folder = challenges_dir()
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def _fail(marks: yamlpos.Marks, file: str, path: tuple, message: str) -> ScenarioError:
    at = marks.get(path)
    return ScenarioError(message, file, *(at if at else (None, None)))


def _text(raw: dict, key: str, marks, file: str, path: tuple, required: bool = True) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise _fail(marks, file, path, f"{key}: required (text)")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(marks, file, (*path, key), f"{key}: expected text, got {type(value).__name__}")
    return value


def _unknown(raw: dict, allowed: set[str], marks, file: str, path: tuple, where: str) -> None:
    for key in raw:
        if key not in allowed:
            raise _fail(marks, file, (*path, key), f"{key}: not a key of {where} (expected one of "
                        f"{', '.join(sorted(allowed))})")


def _mapping(value: Any, marks, file: str, path: tuple, what: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(marks, file, path, f"{what}: expected a mapping, got {type(value).__name__}")
    return value


def _count(raw: dict, key: str, marks, file: str, path: tuple) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _fail(marks, file, (*path, key), f"{key}: expected a whole number 0 or more, got {value!r}")
    return value


def _check(raw: Any, marks, file: str, path: tuple, rule_ids: set[str] | None) -> Check:
    raw = _mapping(raw, marks, file, path, "a check")
    _unknown(raw, CHECK_KEYS, marks, file, path, "a check")
    name = _text(raw, "name", marks, file, path)
    why = _text(raw, "why", marks, file, path)
    rule = raw.get("rule")
    if rule is not None and (not isinstance(rule, str) or (rule_ids is not None and rule not in rule_ids)):
        raise _fail(marks, file, (*path, "rule"), f"rule: {rule!r} is not a rule id in content/rules.yaml")
    expect = _mapping(raw.get("expect", {}), marks, file, (*path, "expect"), "expect")
    _unknown(expect, EXPECT_KEYS, marks, file, (*path, "expect"), "an expectation")
    logs = []
    for i, one in enumerate(raw.get("logs") or []):
        p = (*path, "logs", i)
        one = _mapping(one, marks, file, p, "a log check")
        _unknown(one, LOG_KEYS, marks, file, p, "a log check")
        pattern = _text(one, "match", marks, file, p)
        try:
            re.compile(pattern)
        except re.error as err:
            raise _fail(marks, file, (*p, "match"), f"match: not a regular expression ({err})") from None
        counts = [_count(one, k, marks, file, p) for k in ("count", "at_least", "at_most")]
        sequence = one.get("sequence")
        if sequence is not None and (not isinstance(sequence, list) or not all(isinstance(x, str) for x in sequence)):
            raise _fail(marks, file, (*p, "sequence"), "sequence: expected a list of texts")
        if all(c is None for c in counts) and sequence is None:
            raise _fail(marks, file, p, "a log check needs count, at_least, at_most or sequence")
        logs.append(LogCheck(pattern, *counts, tuple(sequence) if sequence is not None else None))
    joined = raw.get("joined")
    if joined is not None:
        j = _mapping(joined, marks, file, (*path, "joined"), "joined")
        _unknown(j, {"of", "equals"}, marks, file, (*path, "joined"), "joined")
        of, equals = j.get("of"), j.get("equals")
        if not isinstance(of, list) or not of or not all(isinstance(x, str) for x in of) or not isinstance(equals, list):
            raise _fail(marks, file, (*path, "joined"), "joined: expected {of: [trace paths to lists], equals: [...]}")
        joined = (tuple(of), tuple(equals))
    if not expect and not logs and joined is None:
        raise _fail(marks, file, path, f"check {name!r}: needs expect or logs (a check that cannot fail)")
    return Check(name, rule, " ".join(why.split()), expect, tuple(logs), joined)


def parse_challenge(data: Any, marks: yamlpos.Marks, file: str, rule_ids: set[str] | None = None) -> Challenge:
    if data is None:
        raise ScenarioError("the file is empty; expected a challenge with id, brief, starter and scenarios", file,
                            1, 1)
    top = _mapping(data, marks, file, (), "the challenge")
    _unknown(top, TOP_KEYS, marks, file, (), "a challenge")
    cid = _text(top, "id", marks, file, ())
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", cid):
        raise _fail(marks, file, ("id",), f"id: {cid!r} should be lower-case words joined by -")
    stem = Path(file).stem
    if stem != cid and not stem.endswith(f"-{cid}"):
        raise _fail(marks, file, ("id",), f"id: {cid!r} does not match the file name {Path(file).name}")
    title = _text(top, "title", marks, file, ())
    section = str(top.get("section") or "")
    if not re.fullmatch(r"18\.\d+(\.\d+)*", section):
        raise _fail(marks, file, ("section",), f"section: expected a section such as 18.13.1, got {section!r}")
    rules = top.get("rules")
    if not isinstance(rules, list) or not rules or not all(isinstance(r, str) for r in rules):
        raise _fail(marks, file, ("rules",), "rules: expected a list of rule ids from content/rules.yaml")
    for i, r in enumerate(rules):
        if rule_ids is not None and r not in rule_ids:
            raise _fail(marks, file, ("rules", i), f"rules: {r!r} is not a rule id in content/rules.yaml")
    handler = top.get("handler", "handler")
    if not isinstance(handler, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", handler):
        raise _fail(marks, file, ("handler",), f"handler: {handler!r} should be a Python function name")
    brief = _text(top, "brief", marks, file, ())
    starter = _text(top, "starter", marks, file, ())
    solution = _text(top, "solution", marks, file, ())
    raw_scenarios = top.get("scenarios")
    if not isinstance(raw_scenarios, list) or not raw_scenarios:
        raise _fail(marks, file, ("scenarios",), "scenarios: expected a list of at least one scenario")
    scenarios = []
    names: set[str] = set()
    for i, raw in enumerate(raw_scenarios):
        p = ("scenarios", i)
        raw = _mapping(raw, marks, file, p, "a scenario entry")
        _unknown(raw, SCENARIO_KEYS, marks, file, p, "a challenge scenario")
        name = _text(raw, "name", marks, file, p)
        if name in names:
            raise _fail(marks, file, (*p, "name"), f"name: {name!r} is used twice")
        names.add(name)
        hidden = raw.get("hidden", False)
        if not isinstance(hidden, bool):
            raise _fail(marks, file, (*p, "hidden"), f"hidden: expected true or false, got {hidden!r}")
        kit = _mapping(raw.get("kit", {}), marks, file, (*p, "kit"), "kit")
        _unknown(kit, KIT_KEYS, marks, file, (*p, "kit"), "kit")
        sdata = _mapping(raw.get("scenario"), marks, file, (*p, "scenario"), "scenario")
        fn = sdata.get("function") or {}
        if isinstance(fn, dict) and "handler" in fn:
            raise _fail(marks, file, (*p, "scenario", "function", "handler"),
                        "handler: leave it out; the learner's file goes there when the challenge is graded")
        smarks = _Prefixed(marks, (*p, "scenario"))
        entry = ChallengeScenario(name, hidden, sdata, smarks, (), dict(kit))
        entry.build(file, Path(file).resolve().parent, f"{HANDLER_FILE}:{handler}")  # validates it
        raw_checks = raw.get("checks")
        if not isinstance(raw_checks, list) or not raw_checks:
            raise _fail(marks, file, (*p, "checks"), "checks: expected a list of at least one check")
        checks = tuple(_check(c, marks, file, (*p, "checks", j), rule_ids) for j, c in enumerate(raw_checks))
        scenarios.append(ChallengeScenario(name, hidden, sdata, smarks, checks, dict(kit)))
    if all(s.hidden for s in scenarios):
        raise _fail(marks, file, ("scenarios",), "scenarios: at least one must be visible (hidden: false)")
    wrong = []
    check_names = {c.name for s in scenarios for c in s.checks}
    for i, raw in enumerate(top.get("wrong") or []):
        p = ("wrong", i)
        raw = _mapping(raw, marks, file, p, "a wrong solution")
        _unknown(raw, WRONG_KEYS, marks, file, p, "a wrong solution")
        fails = raw.get("fails")
        if not isinstance(fails, list) or not fails:
            raise _fail(marks, file, (*p, "fails"), "fails: expected the names of the checks it fails")
        for j, f in enumerate(fails):
            if f not in check_names:
                raise _fail(marks, file, (*p, "fails", j), f"fails: {f!r} is not the name of a check")
        wrong.append(Wrong(_text(raw, "name", marks, file, p), _text(raw, "code", marks, file, p), tuple(fails)))
    return Challenge(cid, title, section, tuple(rules), brief.strip(), handler, starter, solution,
                     tuple(scenarios), tuple(wrong), file)


def load_challenge(path: str | Path, rule_ids: set[str] | None = None) -> Challenge:
    data, marks = yamlpos.load_file(str(path))
    return parse_challenge(data, marks, str(path), rule_ids)


def _rule_ids() -> set[str] | None:
    from study.content import load_rules

    try:
        return set(load_rules().rules)
    except ScenarioError:
        return None  # a broken rules table is reported by `study check`; challenges still open


def load_challenges(rule_ids: set[str] | None = None) -> list[Challenge]:
    """Every challenge in content/challenges, in section order. Raises ScenarioError on the first bad file."""
    ids = rule_ids if rule_ids is not None else _rule_ids()
    out = [load_challenge(p, ids) for p in challenge_files()]
    seen: dict[str, str] = {}
    for c in out:
        if c.id in seen:
            raise ScenarioError(f"id: {c.id!r} is also the id of {seen[c.id]}", c.file)
        seen[c.id] = c.file
    return sorted(out, key=lambda c: ([int(x) for x in c.section.split(".")], c.id))


def find_challenge(cid: str, rule_ids: set[str] | None = None) -> Challenge | None:
    for p in challenge_files():
        if p.stem == cid or p.stem.endswith(f"-{cid}"):
            c = load_challenge(p, rule_ids if rule_ids is not None else _rule_ids())
            if c.id == cid:
                return c
    return None
