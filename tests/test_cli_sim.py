"""`study sim` and `study price` as a user runs them: output modes, bad input, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parent / "cases"


def study(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "study", *args], capture_output=True, text=True, input=stdin)


def test_json_trace_is_byte_identical_across_runs() -> None:
    a = study("sim", str(CASES / "kinesis-poison-bisect.yaml"), "--json")
    b = study("sim", str(CASES / "kinesis-poison-bisect.yaml"), "--json")
    assert a.returncode == 0 and a.stdout == b.stdout
    trace = json.loads(a.stdout)
    assert trace["format"] == "study-trace/1"
    assert trace["summary"]["invocations"] == 9


def test_summary_prints_finals() -> None:
    r = study("sim", str(CASES / "kinesis-poison-no-bisect.yaml"), "--summary")
    out = json.loads(r.stdout)
    assert out["finals"] == {"dead_lettered": 4, "succeeded": 6}
    assert out["summary"]["invocations"] == 5


def test_timeline_is_printed_for_people() -> None:
    r = study("sim", str(CASES / "async-always-fails.yaml"))
    assert r.returncode == 0
    assert "Where every input ended" in r.stdout and "dead_lettered" in r.stdout
    assert "RetriesExhausted" in r.stdout


@pytest.mark.parametrize("text, fragment", [
    ("title: t\ntrigger: {type: async, MaximumRetryAttempts: 3}\ninputs: [{at: 0, id: e1}]\n",
     "x.yaml:2:24: MaximumRetryAttempts: 3 is out of range 0..2 (ValidationException"),
    ("title: t\ntrigger: {type: sqs, BatchSize: 11}\ninputs: []\n", "exam profile"),
    ("title: t\ntrigger:\n  type: kinesis\ninputs: []\n", "StartingPosition: required"),
    ("title: t\ntrigger: [oops\n", "not valid YAML"),
    ("title: t\ntrigger: {type: sqs, Queue: {VisibilityTimeout: 2}}\nfunction: {Timeout: 5}\ninputs: []\n",
     "InvalidParameterValueException: Queue visibility timeout: 2 seconds is less than Function timeout: 5"),
    ("title: t\ntrigger: {type: sync}\ninputs: [{at: 0, id: a, colour: red}]\n", "colour: not a key"),
    ("title: t\ntrigger: {type: lambda}\n", "type: 'lambda' is not one of"),
])
def test_bad_scenarios_exit_2_with_file_line_col(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    r = study("sim", str(path))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert fragment in r.stderr
    assert f"{path}:" in r.stderr


def test_missing_file_is_a_clear_error() -> None:
    r = study("sim", "/nonexistent/scenario.yaml")
    assert r.returncode == 2 and "cannot read the file" in r.stderr and "Traceback" not in r.stderr


def test_price_json_fields() -> None:
    r = study("price", "--memory", "512", "--duration-ms", "500", "--requests", "3000000", "--json")
    out = json.loads(r.stdout)
    assert out["gb_seconds"] == 750000
    assert out["billable_gb_seconds"] == 350000
    assert out["requests_usd"] == pytest.approx(0.40)
    assert out["compute_usd"] == pytest.approx(350000 * 0.0000166667)
    assert out["total_usd"] == pytest.approx(out["requests_usd"] + out["compute_usd"])


def test_price_within_the_free_tier_is_zero_and_bad_memory_exits_2() -> None:
    out = json.loads(study("price", "--memory", "128", "--duration-ms", "100", "--requests", "1000000",
                           "--json").stdout)
    assert out["total_usd"] == 0
    r = study("price", "--memory", "64", "--duration-ms", "100", "--requests", "1")
    assert r.returncode == 2 and "128..10240" in r.stderr


def test_the_app_without_a_terminal_exits_2_at_once() -> None:
    r = subprocess.run([sys.executable, "-m", "study"], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                       timeout=60)
    assert r.returncode == 2 and "needs a terminal" in r.stderr and "Traceback" not in r.stderr


def test_study_lab_takes_a_lab_name(monkeypatch, capsys) -> None:
    from study import cli, paths
    from study.tui import app as tui_app

    opened = []

    class Fake:
        def run(self) -> None:
            pass

    monkeypatch.setattr(cli, "_interactive", lambda: True)
    monkeypatch.setattr(tui_app, "make_app", lambda lab_file=None, **kw: opened.append(lab_file) or Fake())
    assert cli.main(["lab", "18.06-async-retry-schedule"]) == 0
    assert opened == [str(paths.labs_dir() / "18.06-async-retry-schedule.yaml")]
    assert cli.main(["lab", "no-such-lab"]) == 2
    assert "not a file and not a lab" in capsys.readouterr().err
