"""Coding challenges: every model solution passes, every starter and typical wrong solution fails with a message
naming what went wrong; learner code that loops, eats memory, exits or does not parse is graded as Lambda reports
it, in bounded time."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from study.challenges.grade import grade, run_scenario
from study.challenges.model import challenge_files, load_challenge, load_challenges, parse_challenge
from study.sim import yamlpos
from study.sim.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
CHALLENGES = {c.id: c for c in load_challenges()}


def test_at_least_twelve_including_the_four_named() -> None:
    assert len(CHALLENGES) >= 12
    assert {"sqs-partial-batch", "alb-response", "kinesis-checkpoint", "s3-object-keys"} <= set(CHALLENGES)
    for c in CHALLENGES.values():
        assert any(s.hidden for s in c.scenarios), f"{c.id} has no hidden scenario"
        assert len(c.wrong) >= 2, f"{c.id} needs two typical wrong solutions"


@pytest.mark.parametrize("cid", sorted(CHALLENGES))
def test_model_passes_starter_and_wrong_ones_fail(cid: str) -> None:
    c = CHALLENGES[cid]
    model = grade(c, c.solution)
    assert model.passed, [ch.detail for ch in model.checks if not ch.passed]
    starter = grade(c, c.starter)
    assert not starter.passed
    for wrong in c.wrong:
        result = grade(c, wrong.code)
        failed = {ch.name: ch for ch in result.checks if not ch.passed}
        assert not result.passed, wrong.name
        for name in wrong.fails:
            assert name in failed, f"{wrong.name}: expected check {name!r} to fail"
            detail = failed[name].detail
            # The message says what went wrong (the check's why) and what the trace showed.
            check = next(k for s in c.scenarios for k in s.checks if k.name == name)
            assert detail.startswith(check.why + " (") and len(detail) > len(check.why) + 8, detail


def test_sqs_partial_batch_named_mistakes() -> None:
    c = CHALLENGES["sqs-partial-batch"]
    by_name = {w.name: w for w in c.wrong}
    for name in ("raises on a bad order", "reports every message"):
        result = grade(c, by_name[name].code, only_visible=True)
        check = next(ch for ch in result.checks if ch.name == "valid orders received once")
        assert not check.passed
        assert set(check.inputs) == {"o1", "o2", "o4", "o6"}  # the good orders that came back
        assert "receive_count" in check.detail


# -- untrusted code ---------------------------------------------------------------------------------------------

SYNC = """
id: sandbox-probe
title: probe
section: "18.3"
rules: [sync.error-status]
brief: a probe
starter: "def handler(event, context):\\n    return 1\\n"
solution: "def handler(event, context):\\n    return 1\\n"
scenarios:
  - name: two calls
    scenario:
      title: two calls
      function: {Timeout: 1, MemorySize: 128}
      trigger: {type: sync}
      inputs:
        - {at: 0, id: a, payload: {}}
        - {at: 1, id: b, payload: {}}
    checks:
      - name: answered
        why: both calls answered
        expect: {statuses: [success, success]}
"""


def _probe():
    data, marks = yamlpos.load(SYNC, "sandbox-probe.yaml")
    return parse_challenge(data, marks, "sandbox-probe.yaml")


def _run(code: str) -> tuple[dict, float]:
    c = _probe()
    t0 = time.monotonic()
    run = run_scenario(c, c.scenarios[0], code, wall_cap_s=1.0)
    return run.trace, time.monotonic() - t0


def test_infinite_loop_is_a_timeout_in_bounded_time() -> None:
    trace, took = _run("def handler(event, context):\n    while True:\n        pass\n")
    assert [i["status"] for i in trace["invocations"]] == ["timeout", "timeout"]
    assert trace["invocations"][0]["error"]["errorMessage"] == "Task timed out after 1.00 seconds"
    assert any("Task timed out after 1.00 seconds" in entry["message"] for entry in trace["logs"])
    assert [i["cold_start"] for i in trace["invocations"]] == [True, True]  # the runtime was reset
    assert took < 8


def test_two_gigabytes_is_out_of_memory() -> None:
    trace, took = _run("def handler(event, context):\n    block = bytearray(2 * 1024 ** 3)\n    return len(block)\n")
    err = trace["invocations"][0]["error"]
    assert err["errorType"] == "Runtime.OutOfMemory"
    assert err["errorMessage"].endswith("Error: Runtime exited with error: signal: killed")
    assert took < 8


def test_sys_exit_is_a_runtime_exit_error() -> None:
    trace, took = _run("import sys\n\ndef handler(event, context):\n    print('bye')\n    sys.exit(3)\n")
    inv = trace["invocations"][0]
    assert inv["error"]["errorType"] == "Runtime.ExitError"
    assert inv["error"]["errorMessage"] == f"RequestId: {inv['request_id']} Error: Runtime exited with error: exit status 3"
    assert any(entry["message"] == "bye" for entry in trace["logs"])  # what it printed is kept
    assert took < 8


def test_syntax_error_is_reported_as_lambda_does() -> None:
    trace, _ = _run("def handler(event, context)\n    return 1\n")
    err = trace["invocations"][0]["error"]
    assert err["errorType"] == "Runtime.UserCodeSyntaxError"
    assert err["errorMessage"].startswith("Syntax error in module 'handler':")
    assert "line 1" in err["errorMessage"]


def test_import_error_and_missing_handler() -> None:
    trace, _ = _run("import no_such_module_here\n")
    assert trace["invocations"][0]["error"]["errorMessage"] == (
        "Unable to import module 'handler': No module named 'no_such_module_here'")
    trace, _ = _run("def other(event, context):\n    return 1\n")
    assert trace["invocations"][0]["error"]["errorType"] == "Runtime.HandlerNotFound"


def test_globals_survive_warm_starts_in_the_child() -> None:
    trace, _ = _run("N = 0\n\ndef handler(event, context):\n    global N\n    N += 1\n    return N\n")
    assert [i["response"] for i in trace["invocations"]] == [1, 2]


def test_learner_code_does_not_run_in_this_process() -> None:
    trace, _ = _run("import os\n\ndef handler(event, context):\n    return os.getpid()\n")
    import os

    assert trace["invocations"][0]["response"] != os.getpid()


# -- files ------------------------------------------------------------------------------------------------------

def test_bad_challenge_file_names_line_and_column(tmp_path: Path) -> None:
    text = SYNC.replace("expect: {statuses: [success, success]}", "expect: {statusez: [success]}")
    data, marks = yamlpos.load(text, "bad.yaml")
    with pytest.raises(ScenarioError) as err:
        parse_challenge(data, marks, "sandbox-probe.yaml")
    assert str(err.value).startswith("sandbox-probe.yaml:21:18: statusez")
    text = SYNC.replace("Timeout: 1,", "Timeout: 0,")
    data, marks = yamlpos.load(text, "sandbox-probe.yaml")
    with pytest.raises(ScenarioError) as err:
        parse_challenge(data, marks, "sandbox-probe.yaml")
    assert str(err.value).startswith("sandbox-probe.yaml:13:18: Timeout: 0 is out of range")


def test_every_file_loads_by_its_own_name() -> None:
    for path in challenge_files():
        assert load_challenge(path).id == path.stem


# -- the command line -------------------------------------------------------------------------------------------

def _study(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(ROOT), "STUDY_HOME": str(home), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "study", "code", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def test_cli_lists_grades_and_keeps_progress(tmp_path: Path) -> None:
    listed = _study("--json", home=tmp_path)
    assert listed.returncode == 0
    items = json.loads(listed.stdout)
    assert {"id", "section", "title", "solved"} == set(items[0])
    starter = _study("s3-object-keys", "--starter", home=tmp_path)
    assert starter.stdout == CHALLENGES["s3-object-keys"].starter
    handler = tmp_path / "handler.py"
    handler.write_text(starter.stdout)
    failed = _study("s3-object-keys", "--file", str(handler), "--json", home=tmp_path)
    assert failed.returncode == 1
    out = json.loads(failed.stdout)
    assert out["challenge"] == "s3-object-keys" and out["passed"] is False
    assert {"name", "passed", "detail"} <= set(out["checks"][0])
    handler.write_text(CHALLENGES["s3-object-keys"].solution)
    passed = _study("s3-object-keys", "--file", str(handler), "--json", home=tmp_path)
    assert passed.returncode == 0 and json.loads(passed.stdout)["passed"] is True
    again = json.loads(_study("--json", home=tmp_path).stdout)
    assert next(i for i in again if i["id"] == "s3-object-keys")["solved"] is True
    assert _study("s3-object-keys", "--solution", home=tmp_path).stdout == CHALLENGES["s3-object-keys"].solution
    assert _study("alb-response", "--solution", home=tmp_path).returncode == 2  # no try yet
    assert _study("no-such-challenge", home=tmp_path).returncode == 2
    assert _study("s3-object-keys", "--file", str(tmp_path / "missing.py"), home=tmp_path).returncode == 2


def test_progress_keeps_code_and_best_and_reviews_rules_once_a_day(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path))
    from study.learning.store import Store

    store = Store()
    store.save_challenge_code("alb-response", "x = 1\n")
    assert store.challenge_code("alb-response") == "x = 1\n"
    assert store.record_challenge_run("alb-response", False, 2, 5, "x = 1\n", ["alb.response-format"]) is None
    review = store.record_challenge_run("alb-response", True, 5, 5, "ok\n", ["alb.response-format"])
    assert review is not None and review.rules == ("alb.response-format",)
    assert store.card("alb.response-format") is not None
    assert store.record_challenge_run("alb-response", True, 5, 5, "ok\n", ["alb.response-format"]) is None
    assert store.challenge_bests() == {"alb-response": (True, 5, 5)}
    assert store.challenge_tries("alb-response") == 3
    store.close()


def test_cli_watch_regrades_on_save(tmp_path: Path) -> None:
    handler = tmp_path / "handler.py"
    challenge = CHALLENGES["sns-envelope"]
    handler.write_text(challenge.starter)
    env = {"PYTHONPATH": str(ROOT), "STUDY_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen([sys.executable, "-m", "study", "code", "sns-envelope", "--file", str(handler), "--json",
                             "--watch"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                            cwd=ROOT)
    try:
        first = json.loads(proc.stdout.readline())
        assert first["passed"] is False
        time.sleep(0.05)
        handler.write_text(challenge.solution)
        second = json.loads(proc.stdout.readline())
        assert second["passed"] is True
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_grading_is_deterministic_for_deterministic_code() -> None:
    from study.sim.engine import dumps

    c = CHALLENGES["kinesis-checkpoint"]
    first = [dumps(r.trace) for r in grade(c, c.solution).runs]
    second = [dumps(r.trace) for r in grade(c, c.solution).runs]
    assert first == second
    assert "/tmp" not in "".join(first)  # no temporary path of the sandbox leaks into a trace


def test_reading_stdin_or_writing_fds_does_not_break_the_sandbox() -> None:
    trace, _ = _run("import os, sys\n\ndef handler(event, context):\n    data = sys.stdin.read()\n"
                    "    os.write(1, b'raw\\n')\n    print('kept')\n    return len(data)\n")
    assert [i["response"] for i in trace["invocations"]] == [0, 0]
    assert [e["message"] for e in trace["logs"]].count("kept") == 2
