"""The lab scenarios in content/labs: each validates, runs (or is refused, for the permission labs), and every
prediction is answerable from its own trace."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from study.content import load_rules, top_section
from study.paths import labs_dir
from study.sim import yamlpos
from study.sim.errors import ScenarioError
from study.sim.expect import resolve
from study.sim.run import simulate
from study.sim.scenario.load import build_scenario, load_scenario
from study.sim.scenario.model import Scenario

LABS = sorted(labs_dir().glob("*.yaml"))
KINDS = {"number", "choice", "list", "text", "bool"}
# Every section whose behaviour the emulator plays; a tuple is satisfied by a lab in any of its sections.
SECTIONS_WITH_BEHAVIOUR = [
    ("18.1",), ("18.2",), ("18.3",), ("18.4", "18.5"), ("18.6",), ("18.7", "18.8"), ("18.9", "18.10"),
    ("18.11", "18.12", "18.13", "18.14", "18.15"), ("18.16",), ("18.17", "18.18"), ("18.19", "18.20"),
]
# Labs that run, and labs whose configuration is refused, that the CLI test runs for real.
CLI_SAMPLES = ["18.06-async-retry-schedule.yaml", "18.12-kinesis-poison-bisect.yaml", "18.04-alb-binary-body.yaml"]
CLI_REFUSED = "18.14-sqs-permission-refused.yaml"


def _raw(path: Path) -> dict:
    data, _ = yamlpos.load_file(str(path))
    return data


def _refused(path: Path) -> bool:
    """A permission lab predicts the refusal itself (`answer: error`) instead of a trace path."""
    return any(p.get("answer") == "error" for p in _raw(path)["lab"]["predict"])


@cache
def _trace(path: Path) -> dict:
    return simulate(load_scenario(path))


def _ids(p: Path) -> str:
    return p.stem


def test_enough_labs() -> None:
    assert len(LABS) >= 25, f"only {len(LABS)} labs in {labs_dir()}"


@pytest.mark.parametrize("path", LABS, ids=_ids)
def test_lab_block(path: Path) -> None:
    lab = _raw(path).get("lab")
    assert isinstance(lab, dict), f"{path.name}: no lab block"
    for key, words in (("brief", 15), ("debrief", 15)):
        assert isinstance(lab.get(key), str) and len(lab[key].split()) >= words, \
            f"{path.name}: lab.{key} should be a paragraph for the learner"
    assert lab.get("rules"), f"{path.name}: lab.rules is empty"
    preds = lab.get("predict")
    assert isinstance(preds, list) and preds, f"{path.name}: lab.predict is empty"
    for p in preds:
        assert p.get("question", "").strip(), f"{path.name}: a prediction without a question"
        assert p.get("kind") in KINDS, f"{path.name}: {p.get('kind')!r} is not a prediction kind"
    if _refused(path):
        # Nothing but the refusal can be graded when no trace exists.
        assert all(p["answer"] == "error" for p in preds), f"{path.name}: a refused lab has no trace to read"
    else:
        assert 2 <= len(preds) <= 4, f"{path.name}: {len(preds)} predictions; expected 2 to 4"
        assert len({p["kind"] for p in preds}) >= 2, f"{path.name}: mix the kinds of prediction"


@pytest.mark.parametrize("path", LABS, ids=_ids)
def test_lab_rules_exist(path: Path) -> None:
    known = load_rules().rules
    unknown = [r for r in _raw(path)["lab"]["rules"] if r not in known]
    assert not unknown, f"{path.name}: rule ids not in content/rules.yaml: {unknown}"


@pytest.mark.parametrize("path", LABS, ids=_ids)
def test_lab_runs_or_is_refused(path: Path) -> None:
    if _refused(path):
        with pytest.raises(ScenarioError) as err:
            load_scenario(path)
        assert path.name in str(err.value), "the refusal names the file"
        return
    trace = _trace(path)
    assert trace["summary"]["stopped_by"] in ("quiet", "until"), f"{path.name}: a lab should finish by itself"


@pytest.mark.parametrize("path", [p for p in LABS if not _refused(p)], ids=_ids)
def test_predictions_resolve(path: Path) -> None:
    trace = _trace(path)
    for p in _raw(path)["lab"]["predict"]:
        value = resolve(trace, p["answer"])  # raises PathError when the path does not resolve
        kind = p["kind"]
        if kind == "choice":
            assert value in p["options"], f"{path.name}: {p['answer']} is {value!r}, not among {p['options']}"
            assert len(p["options"]) >= 2 and len(set(map(json.dumps, p["options"]))) == len(p["options"])
        elif kind == "number":
            assert isinstance(value, int | float) and not isinstance(value, bool), \
                f"{path.name}: {p['answer']} is {value!r}, not a number"
        elif kind == "list":
            assert isinstance(value, list), f"{path.name}: {p['answer']} is {value!r}, not a list"
        elif kind == "bool":
            assert isinstance(value, bool), f"{path.name}: {p['answer']} is {value!r}, not true/false"
        else:
            assert value is not None, f"{path.name}: {p['answer']} is null"


@pytest.mark.parametrize("path", [p for p in LABS if (_raw(p).get("function") or {}).get("handler")], ids=_ids)
def test_real_handler_labs_run_their_code(path: Path) -> None:
    # A handler that cannot be imported is a function error, not a bad file: check it really ran.
    handler_file = _raw(path)["function"]["handler"].rpartition(":")[0]
    assert (path.parent / handler_file).is_file(), f"{path.name}: {handler_file} is missing"
    trace = _trace(path)
    assert trace["invocations"] and all(i["status"] == "success" for i in trace["invocations"])


def test_every_section_with_behaviour_has_a_lab() -> None:
    covered = {top_section(str(_raw(p)["section"])) for p in LABS}
    missing = [group for group in SECTIONS_WITH_BEHAVIOUR if not covered & set(group)]
    assert not missing, f"no lab for sections {missing}"


def test_lab_files_are_named_by_their_section() -> None:
    for path in LABS:
        section = top_section(str(_raw(path)["section"]))
        chapter, _, number = section.partition(".")
        assert path.name.startswith(f"{chapter}.{int(number):02d}-"), f"{path.name}: section {section}"


def _settings(path: Path) -> Scenario:
    """The validated settings, defaults filled in; refused labs are validated without the permission check."""
    data, marks = yamlpos.load_file(str(path))
    data = dict(data, strict_permissions=False)
    return build_scenario(data, marks, str(path), path.parent)


def _signature(s: Scenario) -> str:
    def plain(x):
        if isinstance(x, frozenset | set):
            return sorted(x)
        raise TypeError(type(x))

    fn = dict(s.function, behavior=dataclasses.asdict(s.behavior))
    trig = {k: v for k, v in s.trigger.items() if k != "permitted"}
    return json.dumps([s.type, trig, fn], sort_keys=True, default=plain)


def test_no_two_labs_share_trigger_and_settings() -> None:
    seen: dict[str, str] = {}
    for path in LABS:
        sig = _signature(_settings(path))
        assert sig not in seen, f"{path.name} and {seen[sig]} have the same trigger and settings"
        seen[sig] = path.name


def _study(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "study", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", CLI_SAMPLES)
def test_study_sim_runs_a_lab(name: str) -> None:
    done = _study("sim", str(labs_dir() / name), "--summary")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["summary"] == _trace(labs_dir() / name)["summary"]


def test_study_sim_refuses_a_permission_lab() -> None:
    path = labs_dir() / CLI_REFUSED
    assert _refused(path)
    done = _study("sim", str(path))
    assert done.returncode == 2
    assert f"{CLI_REFUSED}:" in done.stderr and "Traceback" not in done.stderr + done.stdout
    line = done.stderr.split(f"{CLI_REFUSED}:", 1)[1].split(":", 1)[0]
    assert line.isdigit(), f"expected file:line in {done.stderr!r}"
