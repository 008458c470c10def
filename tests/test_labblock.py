"""A lab's `lab:` block is the lab package's to check (study/lab/labblock.py); the emulator keeps it untouched.
Every reader of lab files hands the check to the scenario loader, so a bad block is still refused at its
file:line:col with exit 2 by `study sim` and reported by `study check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from study.cli import main
from study.lab import load_lab
from study.sim.errors import ScenarioError
from study.sim.scenario.load import load_scenario

BAD = """title: t
trigger: {type: sync}
function: {behavior: {duration: 1}}
inputs: [{at: 0, id: c1, payload: {}}]
lab:
  brief: a sync call
  rules: nope
  predict: []
"""


@pytest.fixture
def bad_lab(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    return path


def test_study_sim_refuses_a_bad_lab_block_at_its_position(bad_lab, capsys):
    assert main(["sim", str(bad_lab), "--summary"]) == 2
    err = capsys.readouterr().err
    assert f"{bad_lab}:7:3: lab.rules: expected a list of rule ids" in err
    assert "Traceback" not in err


def test_the_lab_reader_refuses_it_too(bad_lab):
    with pytest.raises(ScenarioError) as caught:
        load_lab(bad_lab)
    assert (caught.value.line, caught.value.col) == (7, 3)


def test_the_emulator_alone_keeps_the_block_as_data(bad_lab):
    scenario = load_scenario(bad_lab)
    assert scenario.lab == {"brief": "a sync call", "rules": "nope", "predict": []}
