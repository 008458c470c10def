"""Files from anyone: each hostile or merely large scenario is refused (file:line:col, the limit, exit 2) or
handled, in a child process whose peak memory is measured (ru_maxrss) and whose address space is capped so a
regression cannot take the machine with it. The time bound is a generous timeout; speed lives in bench/."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MEMORY_MB = 200  # the bound each file must stay within
TIMEOUT_S = 120  # generous: this machine is shared; bench/bench_yaml.py measures the speed


def billion_laughs() -> str:
    text = "title: laughs\ntrigger: {type: sqs}\ninputs:\n- id: m1\n  body:\n"
    text += '    a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 10):
        text += f"    a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]\n"
    return text


def deep_payload() -> str:
    return "title: deep\ntrigger: {type: sync}\ninputs:\n- id: r1\n  payload: " + "[" * 5000 + "]" * 5000 + "\n"


def many_messages(n: int = 200_000) -> str:
    return "title: many\ntrigger: {type: sqs}\ninputs:\n" + "".join(f"  - {{id: m{i:06d}, at: 0}}\n" for i in range(n))


# The child reports its own peak resident memory (VmHWM counts only what it used after it started; ru_maxrss
# of a forked child would count the test process's pages too).
LAUNCHER = """
import os, sys
from study.cli import main
try:
    code = main(sys.argv[1:])
finally:
    with open("/proc/self/status") as fh:
        peak = next(line.split()[1] for line in fh if line.startswith("VmHWM"))
    with open(os.environ["STUDY_TEST_PEAK"], "w") as fh:
        fh.write(peak)
sys.exit(code)
"""


def run_study(*args: str, env: dict | None = None) -> tuple[int, str, str, float]:
    """`study ARGS` in a child: exit status, stdout, stderr and peak resident memory in MB."""
    def limit() -> None:  # a runaway child fails here instead of filling the machine
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak_file:
        child_env = dict(os.environ, PYTHONPATH=str(ROOT), STUDY_TEST_PEAK=peak_file.name, **(env or {}))
        proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=child_env, preexec_fn=limit)
        try:
            out, err = proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail(f"study {' '.join(args)} did not finish within {TIMEOUT_S} s")
        peak_mb = int(peak_file.read() or 0) / 1024
    assert peak_mb > 0, err
    return proc.returncode, out.decode(), err.decode(), peak_mb


def run_study_here(*args: str) -> tuple[int, str, str]:
    """`study ARGS` in this process: exit status, stdout and stderr."""
    from study.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def _check_refused(file: Path, what: str, line: int | None = None) -> None:
    code, out, err, peak = run_study("sim", str(file), "--summary")
    assert code == 2, (code, out, err)
    assert "Traceback" not in err + out
    m = re.match(rf"study: {re.escape(str(file))}:(\d+):(\d+): ", err)
    assert m, err
    if line is not None:
        assert int(m.group(1)) == line, err
    assert what in err, err
    assert peak < MEMORY_MB, f"{peak:.0f} MB"


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "laughs.yaml"
    f.write_text(billion_laughs(), encoding="utf-8")
    _check_refused(f, "over the limit of 100,000", line=11)


def test_a_payload_nested_5000_deep_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "deep.yaml"
    f.write_text(deep_payload(), encoding="utf-8")
    _check_refused(f, "more than 100 levels deep", line=5)


def test_a_file_starting_with_nul_bytes_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "nul.yaml"
    f.write_bytes(b"\x00\x01\x02title: x\ntrigger: {type: sync}\n")
    _check_refused(f, "control character U+0000", line=1)


def test_inputs_file_is_read_as_a_stream_and_gives_the_same_trace(tmp_path: Path) -> None:
    inline = tmp_path / "inline.yaml"
    # m3 fails on every receive and has no DLQ: `until` ends the run after a few redeliveries (without it, the
    # emulator's own cap of 20,000 runs, twice, cost more than every other test of this file together).
    head = "title: t\nuntil: 300\ntrigger: {type: sqs}\nfunction: {behavior: {fail_records: [m3]}}\n"
    inline.write_text(head + "inputs:\n"
                      + "".join(f"  - {{id: m{i}, at: {i / 10}, body: {{n: {i}}}}}\n" for i in range(1, 6)),
                      encoding="utf-8")
    (tmp_path / "messages.jsonl").write_text(
        "".join(json.dumps({"id": f"m{i}", "at": i / 10, "body": {"n": i}}) + "\n" for i in range(1, 6)),
        encoding="utf-8")
    from_file = tmp_path / "from-file.yaml"
    from_file.write_text(head + "inputs_file: messages.jsonl\n", encoding="utf-8")
    # In this process (no memory is measured here, and a child would start Python again for each run).
    a = run_study_here("sim", str(inline), "--json")
    b = run_study_here("sim", str(from_file), "--json")
    assert a[0] == b[0] == 0, (a[2], b[2])
    ta, tb = json.loads(a[1]), json.loads(b[1])
    ta.pop("scenario", None), tb.pop("scenario", None)
    assert ta == tb and ta["summary"]["invocations"] > 5  # m3 was delivered again


@pytest.mark.parametrize("lines, where, what", [
    (['{"id": "m1"}', '{"id": "m2", "colour": 1}'], (2, 1), "colour: not a key of a sqs input"),
    (['{"id": "m1"}', "", '{"id": "m2",'], (3, 13), "not valid JSON"),
    (['{"id": "m1"}', '["m2"]'], (2, 1), "one input per line"),
    (['{"id": "m1"}', '{"id": "m1"}'], (2, 1), "used by two inputs"),
    (['{"id": "m1", "at": NaN}'], (1, 1), "expected a number of seconds"),
    (['{"id": "m1", "body": ' + "[" * 200 + "]" * 200 + "}"], (1, 1), "levels deep"),
])
def test_inputs_file_errors_name_the_line(tmp_path: Path, lines, where, what) -> None:
    from study.sim.errors import ScenarioError
    from study.sim.scenario.load import load_scenario

    (tmp_path / "m.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    f = tmp_path / "s.yaml"
    f.write_text("title: t\ntrigger: {type: sqs}\ninputs_file: m.jsonl\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    err = info.value
    assert err.file == str(tmp_path / "m.jsonl") and (err.line, err.col) == where and what in err.message, str(err)


def test_inputs_file_must_be_beside_the_scenario(tmp_path: Path) -> None:
    from study.sim.errors import ScenarioError
    from study.sim.scenario.load import load_scenario

    (tmp_path / "sub").mkdir()
    (tmp_path / "m.jsonl").write_text('{"id": "m1"}\n', encoding="utf-8")
    f = tmp_path / "sub" / "s.yaml"
    f.write_text("title: t\ntrigger: {type: sqs}\ninputs_file: ../m.jsonl\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="outside the scenario's folder") as info:
        load_scenario(f)
    assert (info.value.line, info.value.col) == (3, 1)


def test_the_inputs_cap_counts_count_and_the_file(tmp_path: Path, monkeypatch) -> None:
    from study.sim.errors import ScenarioError
    from study.sim.scenario import inputs, load

    monkeypatch.setattr(inputs, "MAX_INPUTS", 5)
    monkeypatch.setattr(inputs, "MAX_GENERATED", 5)
    (tmp_path / "m.jsonl").write_text('{"id": "x1"}\n{"id": "x2"}\n', encoding="utf-8")
    f = tmp_path / "s.yaml"
    f.write_text("title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 4, prefix: m}\ninputs_file: m.jsonl\n",
                 encoding="utf-8")
    with pytest.raises(ScenarioError, match="6 inputs are more than the 5") as info:
        load.load_scenario(f)
    assert info.value.file.endswith("m.jsonl") and info.value.line == 2
    f.write_text("title: t\ntrigger: {type: sqs}\ninputs:\n  - {id: a}\n  - {count: 5, prefix: m}\n",
                 encoding="utf-8")
    with pytest.raises(ScenarioError, match="6 inputs are more than the 5") as info:
        load.load_scenario(f)
    assert (info.value.line, info.value.col) == (5, 6)


def test_inputs_written_out_have_their_own_cap(tmp_path: Path, monkeypatch) -> None:
    """A backlog made with `count` may reach a million (the scaling ramp); inputs written out one by one stop
    at MAX_INPUTS, where reading them would cost more than any lab needs."""
    from study.sim.errors import ScenarioError
    from study.sim.scenario import inputs, load

    monkeypatch.setattr(inputs, "MAX_INPUTS", 3)
    f = tmp_path / "s.yaml"
    f.write_text("title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 10, prefix: m}\n  - {id: a}\n  - {id: b}\n",
                 encoding="utf-8")
    assert len(load.load_scenario(f).inputs) == 12
    f.write_text(f.read_text() + "  - {id: c}\n  - {id: d}\n", encoding="utf-8")
    # Five entries under `inputs` (the count line is one of them) are refused before any is checked.
    with pytest.raises(ScenarioError, match="5 inputs are more than the 3 one scenario may have written out"):
        load.load_scenario(f)
    # Written out across `inputs` and an inputs_file: the fourth one written (line 3 of the file) is refused.
    (tmp_path / "m.jsonl").write_text('{"id": "x1"}\n{"id": "x2"}\n{"id": "x3"}\n', encoding="utf-8")
    f.write_text("title: t\ntrigger: {type: sqs}\ninputs:\n  - {count: 10, prefix: m}\n  - {id: a}\n"
                 "inputs_file: m.jsonl\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="4 inputs are more than the 3 one scenario may have written out") as info:
        load.load_scenario(f)
    assert info.value.file.endswith("m.jsonl") and info.value.line == 3


def test_200000_messages_are_refused_quickly_within_the_memory_bound(tmp_path: Path) -> None:
    f = tmp_path / "many.yaml"
    f.write_text(many_messages(), encoding="utf-8")
    assert 4_500_000 < f.stat().st_size < 5_500_000
    # Refused at the 50,001st input (line 50,004), where the scenario goes over the cap.
    _check_refused(f, "200,000 inputs are more than the 50,000 one scenario may have", line=50_004)
