"""Acceptance cases in the contract's expectation format: our copy of the public ones, our own, and (when present)
every case in ../shared/spec/cases, since new ones appear there."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from study.sim import yamlpos
from study.sim.errors import ScenarioError
from study.sim.expect import check_case
from study.sim.run import simulate
from study.sim.scenario.load import load_scenario

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "spec" / "cases"
MANIFEST = HERE / "cases" / "public-cases.sha256"


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


def _manifest() -> dict[str, str]:
    """tests/cases/public-cases.sha256: every public case we copied, with its SHA-256 (`sha256sum -c` reads it)."""
    listed = {}
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            listed[name] = digest
    return listed


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_public_cases_are_copied() -> None:
    # Works on a fresh clone too: the manifest names every public case and its bytes, so a copy that is missing,
    # edited or not listed fails here; with ../shared present the manifest itself must match the shared cases.
    listed = _manifest()
    assert len(listed) >= 16, "the manifest lost public cases"
    ours = {p.name: _sha256(p) for p in (HERE / "cases").glob("*.yaml")}
    missing = sorted(set(listed) - set(ours))
    assert not missing, f"public cases listed in {MANIFEST.name} but absent from tests/cases: {missing}"
    unlisted = sorted(set(ours) - set(listed))
    assert not unlisted, (f"tests/cases/*.yaml holds only public cases (ours go in tests/cases/ours); "
                          f"not in {MANIFEST.name}: {unlisted}")
    edited = sorted(name for name, digest in listed.items() if ours[name] != digest)
    assert not edited, f"our copies differ from the public cases' bytes: {edited}"
    if SHARED.is_dir():
        shared = {p.name: _sha256(p) for p in SHARED.glob("*.yaml")}
        new = sorted(set(shared) - set(listed))
        assert not new, f"copy these public cases into tests/cases and add them to {MANIFEST.name}: {new}"
        changed = sorted(name for name in listed if shared.get(name) != listed[name])
        assert not changed, f"these public cases changed or went away in {SHARED}: {changed}"
