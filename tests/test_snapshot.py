"""`study snapshot LAB --at T --out FILE.svg`: the lab's Watch view at simulated time T as an SVG; the same lab
and time give the same bytes, another time another picture; bad input is a message and exit 2."""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path

import pytest

from study import paths
from study.sim.config import load_scenario
from study.sim.run import simulate
from study.snapshot import main, snapshot_command

LAB = "18.06-async-retry-schedule"


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path / "home"))


def _screen_text(svg: str) -> str:
    return html.unescape(svg).replace("\xa0", " ")


def test_svg_shows_the_lab_at_time_t_and_differs_between_times(tmp_path: Path) -> None:
    trace = simulate(load_scenario(paths.labs_dir() / f"{LAB}.yaml"))
    title = trace["title"]
    n = len(trace["timeline"])
    shots = {}
    for t in (0, 100):
        out = tmp_path / f"at{t}.svg"
        assert snapshot_command(LAB, str(t), str(out)) == 0
        text = _screen_text(out.read_text(encoding="utf-8"))
        assert text.startswith("<svg")
        assert title in text
        # The clock reads T itself (100 s lies between two entries), and everything up to T has been played.
        played = sum(1 for e in trace["timeline"] if e["t"] <= t)
        clock = f"{t:.3f} s (00:{t // 60:02d}:{t % 60:02d})"
        assert clock in text, clock
        assert f"step {played}/{n}" in text
        shots[t] = out.read_bytes()
    assert shots[0] != shots[100]
    again = tmp_path / "again.svg"
    assert main([LAB, "--at", "100", "--out", str(again)]) == 0
    assert again.read_bytes() == shots[100]


def test_a_lab_can_be_named_by_path(tmp_path: Path) -> None:
    out = tmp_path / "by-path.svg"
    assert snapshot_command(str(paths.labs_dir() / f"{LAB}.yaml"), 65, str(out)) == 0
    assert "65.000 s (00:01:05)" in _screen_text(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lab, at, out, words", [
    ("no-such-lab", "1", "x.svg", "no-such-lab: not a file and not a lab"),
    (LAB, "soon", "x.svg", "--at: 'soon' is not a number"),
    (LAB, "-5", "x.svg", "--at: '-5' is out of range"),
    (LAB, "1", "x.png", "expected a file name ending in .svg"),
    (LAB, "1", "missing-dir/x.svg", "does not exist"),
])
def test_bad_input_is_a_message_and_exit_2(tmp_path: Path, capsys, lab, at, out, words) -> None:
    assert snapshot_command(lab, at, str(tmp_path / out)) == 2
    assert words in capsys.readouterr().err
    assert not (tmp_path / out).exists()


def test_a_broken_scenario_names_file_and_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\ntrigger:\n  type: async\n  MaximumRetryAttempts: 9\ninputs: [{at: 0}]\n")
    assert snapshot_command(str(bad), "0", str(tmp_path / "x.svg")) == 2
    assert f"{bad}:4:" in capsys.readouterr().err


def test_module_entry_point_exits_2_without_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "study.snapshot", "no-such-lab", "--at", "0", "--out",
                             str(tmp_path / "x.svg")], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "no-such-lab" in result.stderr


def test_a_step_light_theme_and_no_footer(tmp_path: Path) -> None:
    trace = simulate(load_scenario(paths.labs_dir() / f"{LAB}.yaml"))
    n = len(trace["timeline"])
    out = tmp_path / "step.svg"
    assert main([LAB, "--step", "4", "--out", str(out)]) == 0
    text = _screen_text(out.read_text(encoding="utf-8"))
    assert f"step 4/{n}" in text and "step 4 of" in text
    assert "Help" in text  # the footer's keys
    light = tmp_path / "light.svg"
    assert main([LAB, "--step", "4", "--light", "--no-footer", "--out", str(light)]) == 0
    light_text = _screen_text(light.read_text(encoding="utf-8"))
    assert f"step 4/{n}" in light_text and "? Help" not in light_text
    assert light.read_bytes() != out.read_bytes()
    # No attempt is stored by a handout.
    from study.learning.store import Store

    assert Store().lab_results() == {}


@pytest.mark.parametrize("args, words", [
    (["--at", "100000"], "past the end of the run"),
    (["--step", "9999"], "past the end of the run"),
    (["--step", "two"], "--step: 'two' is not a whole number"),
])
def test_past_the_end_or_a_bad_step_is_refused(tmp_path: Path, capsys, args, words) -> None:
    assert main([LAB, *args, "--out", str(tmp_path / "x.svg")]) == 2
    assert words in capsys.readouterr().err
    assert not (tmp_path / "x.svg").exists()
