"""Rules you can grep for (docs/scenario-format.md, "Rules and the timeline"): a rule of content/rules.yaml marked
`emulated: timeline` is named on the timeline of some case or lab, an id named in a trace is marked so, and every
rule id the emulator's code names exists in content/rules.yaml.

Every case of tests/cases and every lab of content/labs is run once, as `study sim` runs it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from study import paths
from study.content import EMULATED, load_rules
from study.sim.config import load_scenario
from study.sim.errors import ScenarioError
from study.sim.run import simulate

ROOT = Path(__file__).resolve().parent.parent
SIM = ROOT / "study" / "sim"
RULE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*")


def _files() -> list[Path]:
    return sorted((ROOT / "tests" / "cases").rglob("*.yaml")) + sorted(paths.labs_dir().glob("*.yaml"))


def _rules_in(node, out: set[str]) -> None:
    if isinstance(node, dict):
        rule = node.get("rule")
        if isinstance(rule, str):
            out.add(rule)
        for value in node.values():
            _rules_in(value, out)
    elif isinstance(node, list):
        for value in node:
            _rules_in(value, out)


@pytest.fixture(scope="module")
def traced() -> dict[str, str]:
    """Rule id -> the first file whose trace names it."""
    found: dict[str, str] = {}
    for file in _files():
        try:
            trace = simulate(load_scenario(file))
        except ScenarioError:
            continue  # a case that expects a refusal has no trace
        ids: set[str] = set()
        _rules_in(trace, ids)
        for rid in sorted(ids):
            found.setdefault(rid, str(file.relative_to(ROOT)))
    return found


def test_every_rule_says_how_it_is_emulated() -> None:
    rules = load_rules().rules
    assert all(r.get("emulated") in EMULATED for r in rules.values())


def test_timeline_rules_appear_in_some_trace(traced: dict[str, str]) -> None:
    marked = {rid for rid, r in load_rules().rules.items() if r["emulated"] == "timeline"}
    missing = sorted(marked - set(traced))
    assert not missing, (f"marked `emulated: timeline` in content/rules.yaml but named in no trace of the cases and "
                         f"labs: {', '.join(missing)}; emit the id where the emulator decides and add a case, or "
                         "change the mark")


def test_traced_rules_are_marked_timeline(traced: dict[str, str]) -> None:
    rules = load_rules().rules
    unknown = sorted(f"{rid} ({where})" for rid, where in traced.items() if rid not in rules)
    assert not unknown, f"traces name rule ids that content/rules.yaml does not have: {', '.join(unknown)}"
    unmarked = sorted(f"{rid} (is {rules[rid]['emulated']}, named in {where})" for rid, where in traced.items()
                      if rules[rid]["emulated"] != "timeline")
    assert not unmarked, f"named in a trace but not marked `emulated: timeline`: {', '.join(unmarked)}"


def rule_ids_in_code() -> dict[str, str]:
    """Rule ids the emulator's code names: a string passed as a timeline entry's rule (`tl(kind, "id")`,
    `rule="id"`), or any string shaped like an id whose first word is one of the rules' (`"sqs.redrive"`)."""
    prefixes = {rid.split(".")[0] for rid in load_rules().rules}
    found: dict[str, str] = {}
    for file in sorted(SIM.rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            named: list[ast.AST] = []
            if isinstance(node, ast.Call):
                named += [k.value for k in node.keywords if k.arg in ("rule", "accept_rule")]
                if isinstance(node.func, ast.Attribute) and node.func.attr == "tl" and len(node.args) >= 2:
                    named.append(node.args[1])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and RULE_ID.fullmatch(node.value) \
                    and node.value.split(".")[0] in prefixes:
                named.append(node)
            for value in named:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.setdefault(value.value, f"{file.relative_to(ROOT)}:{value.lineno}")
    return found


def test_rule_ids_in_the_emulator_exist() -> None:
    named = rule_ids_in_code()
    assert len(named) >= 40  # the finder still finds the ids the timeline shows
    rules = load_rules().rules
    unknown = sorted(f"{rid} at {where}" for rid, where in named.items() if rid not in rules)
    assert not unknown, f"study/sim names rule ids that content/rules.yaml does not have: {', '.join(unknown)}"


def test_traced_rules_are_named_in_the_emulator(traced: dict[str, str]) -> None:
    """The code names the id beside where it decides: every id a trace shows is a string in study/sim."""
    missing = sorted(set(traced) - set(rule_ids_in_code()))
    assert not missing, f"traces name these rules but study/sim never spells the id: {', '.join(missing)}"
