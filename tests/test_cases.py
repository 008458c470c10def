"""Acceptance cases in the contract's expectation format: our copy of the public ones, our own, and (when present)
every case in ../shared/spec/cases, since new ones appear there."""

from __future__ import annotations

from pathlib import Path

import pytest

from study.sim import yamlpos
from study.sim.config import load_scenario
from study.sim.errors import ScenarioError
from study.sim.expect import check_case
from study.sim.run import simulate

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "spec" / "cases"


def _cases() -> list[Path]:
    found = sorted((HERE / "cases").rglob("*.yaml"))
    if SHARED.is_dir():
        found += sorted(SHARED.glob("*.yaml"))
    return found


def run_case(path: Path) -> list[str]:
    data, _ = yamlpos.load_file(str(path))
    expect = data.get("expect") or {}
    assert expect, f"{path} has no expect block"
    try:
        trace, error = simulate(load_scenario(path)), None
    except ScenarioError as err:
        trace, error = None, str(err)
    return check_case(expect, trace, error)


@pytest.mark.parametrize("path", _cases(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case(path: Path) -> None:
    problems = run_case(path)
    assert not problems, "\n".join(problems)


def test_public_cases_are_copied() -> None:
    # A fresh clone has no ../shared: our copy must hold every public case.
    if SHARED.is_dir():
        ours = {p.name for p in (HERE / "cases").glob("*.yaml")}
        missing = sorted(p.name for p in SHARED.glob("*.yaml") if p.name not in ours)
        assert not missing, f"copy these public cases into tests/cases: {missing}"
