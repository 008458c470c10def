"""Grading: the learner's code runs through every scenario of a challenge (in child processes), and each check is
matched against the trace the emulator built. The emulator is the answer key; nothing here knows the answer."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from study.challenges.model import HANDLER_FILE, Challenge, ChallengeScenario, Check
from study.challenges.sandbox import WALL_CAP_S, ChildHandler
from study.sim.expect import PathError, check_case, resolve
from study.sim.run import simulate

_INPUT_IN_DIFF = re.compile(r"^(?:inputs\.([^.:\s]+)|http\[([^\]]+)\])")


@dataclass
class CheckResult:
    name: str
    scenario: str
    hidden: bool
    passed: bool
    detail: str
    rule: str | None
    inputs: list[str] = field(default_factory=list)  # inputs that ended wrong

    def to_json(self) -> dict:
        return {"name": self.name, "passed": self.passed, "detail": self.detail, "scenario": self.scenario,
                "hidden": self.hidden, "rule": self.rule, "inputs": self.inputs}


@dataclass
class ScenarioRun:
    name: str
    hidden: bool
    trace: dict[str, Any]
    checks: list[CheckResult]
    errors: list[str]  # the distinct function errors of the run, as Lambda reported them

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


@dataclass
class Grade:
    challenge: str
    runs: list[ScenarioRun]

    @property
    def checks(self) -> list[CheckResult]:
        return [c for r in self.runs for c in r.checks]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def score(self) -> tuple[int, int]:
        checks = self.checks
        return sum(c.passed for c in checks), len(checks)

    def to_json(self) -> dict:
        return {"challenge": self.challenge, "passed": self.passed, "checks": [c.to_json() for c in self.checks]}


def evaluate(check: Check, trace: dict, scenario: ChallengeScenario) -> CheckResult:
    diffs = check_case(check.expect, trace, None) if check.expect else []
    for log in check.logs:
        pattern = re.compile(log.match)
        found = [m for m in (pattern.search(entry["message"]) for entry in trace["logs"]) if m]
        n = len(found)
        if log.sequence is not None:
            got = [m.group(1) if m.groups() else m.group(0) for m in found]
            if got != list(log.sequence):
                diffs.append(f"log lines matching /{log.match}/: expected {list(log.sequence)}, got {got}")
        if log.count is not None and n != log.count:
            diffs.append(f"log lines matching /{log.match}/: expected {log.count}, got {n}")
        if log.at_least is not None and n < log.at_least:
            diffs.append(f"log lines matching /{log.match}/: expected at least {log.at_least}, got {n}")
        if log.at_most is not None and n > log.at_most:
            diffs.append(f"log lines matching /{log.match}/: expected at most {log.at_most}, got {n}")
    if check.joined is not None:
        got: list = []
        for path in check.joined[0]:
            try:
                part = resolve(trace, path)
            except PathError:
                part = None
            if not isinstance(part, list):
                diffs.append(f"{path}: expected a list, got {part!r}")
                part = []
            got.extend(part)
        if got != list(check.joined[1]):
            diffs.append(f"{' + '.join(check.joined[0])}: expected {list(check.joined[1])}, got {got}")
    inputs: list[str] = []
    for d in diffs:
        m = _INPUT_IN_DIFF.match(d)
        if m:
            iid = m.group(1) or m.group(2)
            if iid not in inputs:
                inputs.append(iid)
    if not diffs:
        return CheckResult(check.name, scenario.name, scenario.hidden, True, "ok", check.rule)
    shown = "; ".join(diffs[:4]) + (f"; and {len(diffs) - 4} more" if len(diffs) > 4 else "")
    return CheckResult(check.name, scenario.name, scenario.hidden, False, f"{check.why} ({shown})", check.rule,
                       inputs)


def _errors(trace: dict) -> list[str]:
    out: list[str] = []
    for inv in trace["invocations"]:
        err = inv.get("error")
        if not err:
            continue
        text = f"{err.get('errorType')}: {err.get('errorMessage')}"
        text = re.sub(r"RequestId: [0-9a-f-]+ ", "", text)
        if text not in out:
            out.append(text)
    return out


def run_scenario(challenge: Challenge, scenario: ChallengeScenario, code: str, *,
                 wall_cap_s: float = WALL_CAP_S) -> ScenarioRun:
    """One scenario with the learner's code: its trace and each check's result."""
    with tempfile.TemporaryDirectory(prefix="study-code-") as tmp:
        root = Path(tmp)
        task = root / "task"
        state = root / "state"
        task.mkdir()
        state.mkdir()
        (task / HANDLER_FILE).write_text(code, encoding="utf-8")
        built = scenario.build(challenge.file, task, f"{HANDLER_FILE}:{challenge.handler}")
        kit_env = {"LABKIT_DIR": str(state), "LABKIT_FLAKY": ",".join(str(x) for x in scenario.kit.get("flaky", []))}
        made: list[ChildHandler] = []

        def factory(s, engine):
            h = ChildHandler(s, engine, wall_cap_s=wall_cap_s, kit_env=kit_env)
            made.append(h)
            return h

        try:
            trace = simulate(built, handler_factory=factory)
        finally:
            for h in made:
                h.close()
    trace["function"].pop("handler", None)  # a temporary path: not part of what the learner sees
    checks = [evaluate(c, trace, scenario) for c in scenario.checks]
    return ScenarioRun(scenario.name, scenario.hidden, trace, checks, _errors(trace))


def grade(challenge: Challenge, code: str, *, only_visible: bool = False,
          progress: Callable[[int, int, str], None] | None = None, wall_cap_s: float = WALL_CAP_S) -> Grade:
    """Every scenario (visible first, then hidden) with the learner's code."""
    scenarios = challenge.visible if only_visible else list(challenge.scenarios)
    scenarios = sorted(scenarios, key=lambda s: s.hidden)
    runs = []
    for i, scenario in enumerate(scenarios):
        if progress is not None:
            progress(i, len(scenarios), scenario.name)
        runs.append(run_scenario(challenge, scenario, code, wall_cap_s=wall_cap_s))
    if progress is not None:
        progress(len(scenarios), len(scenarios), "")
    return Grade(challenge.id, runs)
