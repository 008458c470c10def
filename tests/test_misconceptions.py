"""The emulator's misconceptions are a registry: every id the code checks, a scenario switches on, or
content/rules.yaml marks `emulator: true` is in study/sim/misconceptions.KNOWN, and an unknown one is an error,
never a check that silently never fires."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from study import paths
from study.content import load_rules
from study.sim.errors import ScenarioError
from study.sim.misconceptions import KNOWN, Switched, UnknownMisconception
from study.sim.pricing import monthly_cost
from study.sim.run import simulate
from study.sim.scenario.load import load_scenario, scenario_from_dict

STUDY = Path(__file__).resolve().parent.parent / "study"
SWITCH_NAMES = {"mis", "misconceptions"}  # what the code calls the set of switched-on ids


def checks_in_code() -> dict[str, list[str]]:
    """Every `"some-id" in <...>.mis` / `in misconceptions` in study/, by id, with file:line."""
    found: dict[str, list[str]] = {}
    for file in sorted(STUDY.rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Compare) and len(node.ops) == 1
                    and isinstance(node.ops[0], ast.In | ast.NotIn)):
                continue
            left, right = node.left, node.comparators[0]
            name = right.attr if isinstance(right, ast.Attribute) else getattr(right, "id", None)
            if name in SWITCH_NAMES and isinstance(left, ast.Constant) and isinstance(left.value, str):
                found.setdefault(left.value, []).append(f"{file.relative_to(STUDY.parent)}:{node.lineno}")
    return found


def test_every_check_in_the_code_names_a_registered_misconception() -> None:
    found = checks_in_code()
    assert sum(len(v) for v in found.values()) >= len(KNOWN), "the scan found too few checks: did the code move?"
    unknown = {mid: where for mid, where in found.items() if mid not in KNOWN}
    assert not unknown, f"checks for ids the registry does not hold (they would never fire): {unknown}"


def test_every_registered_misconception_is_played_somewhere() -> None:
    found = checks_in_code()
    unused = sorted(set(KNOWN) - set(found))
    assert not unused, f"registered misconceptions no code checks (switching them on changes nothing): {unused}"


def test_the_registry_and_rules_yaml_agree() -> None:
    # rules.yaml -> registry is refused when the rules load (study/content.py); this is the other direction.
    emulated = {mid for mid, m in load_rules().misconceptions.items() if m.get("emulator")}
    assert set(KNOWN) <= emulated, f"not in content/rules.yaml with emulator: true: {sorted(set(KNOWN) - emulated)}"


def test_switched_refuses_unknown_ids_both_in_and_asked() -> None:
    on = Switched({"vt-from-end"})
    assert "vt-from-end" in on and "async-three-retries" not in on
    with pytest.raises(UnknownMisconception, match="vt-from-ends"):
        _ = "vt-from-ends" in on
    with pytest.raises(UnknownMisconception, match="async-three-retry"):
        Switched({"async-three-retry"})


def test_a_loaded_scenario_carries_a_checked_set() -> None:
    lab = paths.labs_dir() / "18.06-async-retry-schedule.yaml"
    scenario = load_scenario(lab, frozenset({"async-equal-delays"}))
    assert isinstance(scenario.misconceptions, Switched)
    with pytest.raises(UnknownMisconception):
        _ = "async-equal-delay" in scenario.misconceptions
    # Switching the misconception on really changes the run: the second retry waits 60 s, not 120 s.
    def second_gap(trace: dict) -> float:
        runs = trace["invocations"]
        return runs[2]["start"] - runs[1]["end"]

    assert second_gap(simulate(load_scenario(lab))) == 120
    assert second_gap(simulate(scenario)) == 60


def test_unknown_ids_are_refused_when_loaded() -> None:
    with pytest.raises(ScenarioError, match="unknown misconception 'async-three-retry'"):
        scenario_from_dict({"title": "t", "trigger": {"type": "sync"}, "inputs": [{"at": 0, "id": "e1"}]},
                           misconceptions=frozenset({"async-three-retry"}))
    with pytest.raises(UnknownMisconception):
        monthly_cost(128, 100, 1000, frozenset({"no-free-teir"}))
