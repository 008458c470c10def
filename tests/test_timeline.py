"""The timeline kinds the contract lists all occur, carry rule ids from content/rules.yaml, and stay in time order."""

from __future__ import annotations

from pathlib import Path

from study.content import load_rules
from study.sim.errors import ScenarioError
from study.sim.run import simulate
from study.sim.scenario.load import load_scenario

HERE = Path(__file__).resolve().parent
KINDS = {"arrive", "filtered", "coalesced", "poll", "batch", "throttle", "env_create", "env_reuse", "env_expire",
         "invoke_start", "invoke_end", "retry_scheduled", "bisect", "checkpoint", "visible", "delete", "redrive",
         "deliver", "expire", "discard", "scale"}


def _traces():
    for path in sorted((HERE / "cases").rglob("*.yaml")) + sorted((HERE.parent / "content" / "labs").glob("*.yaml")):
        try:
            yield path, simulate(load_scenario(path))
        except ScenarioError:
            continue


def test_every_kind_occurs_with_known_rules_and_in_time_order() -> None:
    rules = set(load_rules().rules)
    seen: set[str] = set()
    for path, trace in _traces():
        times = [e["t"] for e in trace["timeline"]]
        assert times == sorted(times), path
        for entry in trace["timeline"]:
            seen.add(entry["kind"])
            if "rule" in entry:
                assert entry["rule"] in rules, f"{path}: {entry}"
    missing = KINDS - seen
    assert not missing, f"no case or lab shows these timeline kinds: {sorted(missing)}"


def test_timeline_agrees_with_invocations_and_summary() -> None:
    for path, trace in _traces():
        ends = {e["n"]: e["status"] for e in trace["timeline"] if e["kind"] == "invoke_end"}
        for inv in trace["invocations"]:
            if inv["status"] != "running":
                assert ends.get(inv["n"]) == inv["status"], f"{path}: run {inv['n']}"
        throttles = sum(1 for e in trace["timeline"] if e["kind"] == "throttle")
        assert throttles == trace["summary"]["throttles"], path
