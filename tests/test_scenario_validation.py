"""The scenario package's shape and its refusals: any file YAML cannot read is refused with file:line:col (exit 2
from `study sim`; tests/test_check.py has `study check` list such a lab), never a traceback; every trigger has its
rules beside its source; the exam and aws profiles differ only in study/sim/scenario/profiles.py."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from study.sim import yamlpos
from study.sim.errors import ScenarioError
from study.sim.run import SOURCES
from study.sim.scenario.defaults import TRIGGER_TYPES
from study.sim.scenario.load import load_scenario
from study.sim.scenario.triggers import TRIGGERS

ROOT = Path(__file__).resolve().parent.parent
SIM = ROOT / "study" / "sim"

UNREADABLE = {
    "nul-bytes": (b"\x00\x01\x02\x03\x04title: x\ntrigger: {type: sync}\n", (1, 1), "U+0000"),
    "nul-later": (b"title: x\ntrigger: {type: sync}\ninputs:\n  - {id: a\x00}\n", (4, 11), "U+0000"),
    "utf-16": ("title: x\n".encode("utf-16"), (1, 1), "not UTF-8"),
    "latin-1": (b"title: caf\xe9\n", (1, 11), "not UTF-8"),
    "escape": (b"title: x\x1b[31m\n", (1, 9), "U+001B"),
    "unclosed": (b"title: [x\ntrigger: {type: sync}\n", (2, 8), "not valid YAML"),
    "tab-indent": (b"title: x\ntrigger:\n\ttype: sync\n", (3, 1), "not valid YAML"),
}


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "study", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=300)


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_study_sim_refuses_a_file_yaml_cannot_read(tmp_path: Path, name: str) -> None:
    data, (line, col), what = UNREADABLE[name]
    f = tmp_path / f"{name}.yaml"
    f.write_bytes(data)
    r = _run("sim", str(f))
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert f"{f}:{line}:{col}: " in r.stderr and what in r.stderr, r.stderr


def test_random_bytes_are_refused_with_a_position(tmp_path: Path) -> None:
    """Bytes of any kind before, inside or after a valid scenario: the reader and the validator either accept
    them or raise ScenarioError with a line and column; nothing else escapes."""
    rng = random.Random(10)
    valid = b"title: x\ntrigger: {type: sync}\ninputs: [{id: a}]\n"
    alphabet = list(range(256)) + list(b"\x00\x85\n\r\t:{}[]-&*!|>'\"%@`#,?")
    f = tmp_path / "f.yaml"
    for _ in range(1500):
        junk = bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        cut = rng.randint(0, len(valid))
        f.write_bytes(rng.choice([junk + valid, valid[:cut] + junk + valid[cut:], valid + junk, junk]))
        try:
            load_scenario(f)
        except ScenarioError as err:
            assert err.line is not None and err.col is not None, (f.read_bytes(), str(err))


def test_every_trigger_has_its_rules_and_its_source() -> None:
    assert set(TRIGGERS) == set(TRIGGER_TYPES) == set(SOURCES)


def test_the_profiles_differ_only_in_their_table() -> None:
    """No module of the emulator names a profile but profiles.py: code that behaves by profile reads its row."""
    offenders = []
    for f in sorted(SIM.rglob("*.py")):
        rel = f.relative_to(SIM).as_posix()
        if rel == "scenario/profiles.py":
            continue
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"""["'](exam|aws)["']""", line):
                offenders.append(f"study/sim/{rel}:{n}: {line.strip()}")
    assert not offenders, "read the profile's row of study/sim/scenario/profiles.py instead:\n" + "\n".join(offenders)


def test_the_scenario_modules_stay_small() -> None:
    files = [*SIM.glob("scenario/*.py"), *SIM.glob("sources/*.py"), SIM / "sqs_config.py",
             SIM / "streams_config.py", *SIM.glob("yaml*.py")]
    long = [f"{f.relative_to(ROOT)}: {n}" for f in files if (n := len(f.read_text(encoding="utf-8").splitlines())) >= 500]
    assert not long, long


def test_the_reader_is_still_the_one_entry_point() -> None:
    """yamlpos keeps the names every loader uses after its split into three modules."""
    data, marks = yamlpos.load("a: 1\nb: [x]\n")
    assert data == {"a": 1, "b": ["x"]} and marks.get(("b", 0)) == (2, 5)
    assert isinstance(marks, yamlpos.Marks) and yamlpos.LIMITS == yamlpos.Limits()
