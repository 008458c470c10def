"""The round writer of `study sim --json` (study.sim.group_trace, with its C renderer study/sim/_bulktext.c) writes
the same bytes as the general path, `dumps(simulate(...))`: on hand-picked and generated SQS backlogs, with both
renderers, to a text stream, a file and a pipe; where it gives up (an idle environment that expires, the
max_invocations stop) the engine writes the trace instead. The C module's digests are hashlib's."""

from __future__ import annotations

import hashlib
import io
import os
import random
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from study.sim import group_trace, native
from study.sim.engine import dumps
from study.sim.group_trace import GroupTrace, Unsupported, group_trace_ok, write_trace
from study.sim.run import simulate, simulate_to
from study.sim.scenario.load import scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent


def backlog(n: int, batch: int = 10, duration: float = 0.1, per_record: float = 0, profile: str = "exam",
            extra: tuple = (), maxc: int | None = None, body=None, prefix: str = "m", memory: int | None = None,
            idle: float | None = None, seed: int = 0, max_invocations: int | None = None, init: float = 0) -> dict:
    first = {"at": 0, "count": n, "prefix": prefix}
    if body is not None:
        first["body"] = body
    function = {"Timeout": 3, "behavior": {"duration": duration, **({"duration_per_record": per_record}
                                                                    if per_record else {})}}
    if memory:
        function["MemorySize"] = memory
    if idle is not None:
        function["idle_ttl"] = idle
    if init:
        function["init_duration"] = init
    trigger = {"type": "sqs", "BatchSize": batch, "Queue": {"VisibilityTimeout": 30}}
    if maxc:
        trigger["ScalingConfig"] = {"MaximumConcurrency": maxc}
    data = {"title": "backlog", "profile": profile, "seed": seed, "account_concurrency": 100000,
            "function": function, "trigger": trigger, "inputs": [first, *extra]}
    if max_invocations:
        data["max_invocations"] = max_invocations
    return data


def written(data: dict, native_renderer: bool | None) -> str | None:
    out = io.StringIO()
    if not write_trace(scenario_from_dict(data), out, native_renderer):
        assert out.getvalue() == ""  # gave up before writing anything
        return None
    return out.getvalue()


def renderers() -> list[bool]:
    return [False, True] if native.module() is not None else [False]


CASES = {
    "two batches": backlog(20),
    "partial last batch": backlog(7, batch=3),
    "records add to the duration (the partial batch ends first)": backlog(100, batch=4, per_record=0.01),
    "the ramp over several minutes, exam": backlog(3000, duration=0.5),
    "the ramp, aws": backlog(9000, duration=1, profile="aws"),
    "MaximumConcurrency, per-record time": backlog(6000, duration=2, maxc=7, per_record=0.003, batch=7),
    "a shared body and a prefix to escape": backlog(50, body='é "q" \u2028 x\\', prefix='p"é\t'),
    "later arrivals, two count inputs at one instant": backlog(200, extra=(
        {"at": 1.5, "count": 33, "prefix": "z"}, {"at": 1.5, "count": 5, "prefix": "y", "body": "same"})),
    "another memory size and seed": backlog(90, memory=2048, seed=7),
    "INIT time, billed (aws), records add to the duration": backlog(300, batch=4, per_record=0.01, profile="aws",
                                                                     init=0.35),
    "INIT time over the ramp, not billed (exam)": backlog(3000, duration=0.5, init=1.0),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_same_bytes_as_the_engine(name: str) -> None:
    data = CASES[name]
    assert group_trace_ok(scenario_from_dict(data))
    want = dumps(simulate(scenario_from_dict(data)))
    for renderer in renderers():
        assert written(data, renderer) == want, renderer
    out = io.StringIO()
    simulate_to(scenario_from_dict(data), out)  # what `study sim --json` calls
    assert out.getvalue() == want


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(2, 400), batch=st.integers(1, 10), duration=st.sampled_from([0.001, 0.05, 0.1, 0.7, 2.5]),
       per_record=st.sampled_from([0, 0.001, 0.02]), profile=st.sampled_from(["exam", "aws"]),
       maxc=st.sampled_from([None, 2, 3, 50]), seed=st.integers(0, 3),
       later=st.lists(st.tuples(st.integers(0, 90), st.integers(2, 60)), max_size=3), first_at=st.integers(0, 50),
       init=st.sampled_from([0, 0, 0.001, 0.05, 0.3, 1.2]))
def test_generated_backlogs(n, batch, duration, per_record, profile, maxc, seed, later, first_at, init) -> None:
    """Inputs written in any order of time (the queue takes them in send order), several at one instant; INIT time
    (a cold run's invoke_start, START line and record come at its start, after what was made before it)."""
    extra = tuple({"at": at / 10, "count": k, "prefix": f"x{i}-"} for i, (at, k) in enumerate(later))
    data = backlog(n, batch, duration, per_record, profile, extra, maxc, seed=seed, init=init)
    data["inputs"][0]["at"] = first_at / 10
    if duration + per_record * batch > 3:
        return  # past the function's Timeout: not a backlog this writer takes
    scenario = scenario_from_dict(data)
    assert group_trace_ok(scenario)
    want = dumps(simulate(scenario_from_dict(data)))
    for renderer in renderers():
        # nothing here expires (idle_ttl 300 s) or reaches max_invocations: the round writer takes every one
        assert written(data, renderer) == want


def test_where_it_gives_up_the_engine_writes_the_trace() -> None:
    """An idle environment that expires (a late arrival after idle_ttl) and the max_invocations stop are left to
    the engine: the round writer writes nothing, and `simulate_to` still gives the general path's bytes."""
    for data, why in ((backlog(30, idle=1, extra=({"at": 5, "count": 10, "prefix": "late"},)), "expires"),
                      (backlog(300, max_invocations=7), "max_invocations")):
        with pytest.raises(Unsupported, match=why):
            GroupTrace(scenario_from_dict(data)).write(io.StringIO())
        assert written(data, None) is None
        out = io.StringIO()
        simulate_to(scenario_from_dict(data), out)
        assert out.getvalue() == dumps(simulate(scenario_from_dict(data)))


def test_scenarios_it_does_not_take() -> None:
    base = backlog(50)
    assert group_trace_ok(scenario_from_dict(base))
    for change in ({"until": 1}, {"inputs": [{"at": 0, "id": "a", "body": "x"}]},
                   {"inputs": [{"at": 0, "count": 5, "prefix": "m", "attributes": {"k": "v"}}]},
                   {"inputs": [{"at": 0, "count": 5, "prefix": "m\ud800"}]},  # UTF-8 cannot carry it
                   {"function": {**base["function"], "behavior": {"duration": 0.1, "fail": "always"}}}):
        assert not group_trace_ok(scenario_from_dict({**base, **change})), change


def test_a_file_and_a_pipe_get_the_same_bytes(tmp_path: Path) -> None:
    """`study sim --json` to a file (the C writer's thread writes to its descriptor) and to a pipe."""
    data = CASES["the ramp over several minutes, exam"]
    path = tmp_path / "backlog.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    want = dumps(simulate(scenario_from_dict(data))).encode()
    target = tmp_path / "trace.json"
    with open(target, "wb") as fp:
        subprocess.run([sys.executable, "-m", "study", "sim", str(path), "--json"], stdout=fp, check=True)
    assert target.read_bytes() == want + b"\n"
    piped = subprocess.run([sys.executable, "-m", "study", "sim", str(path), "--json"], capture_output=True,
                           check=True)
    assert piped.stdout == want + b"\n"


def test_the_c_renderer_is_built_where_a_compiler_is() -> None:
    """The install (hatch_build.py) builds the module wherever there is a C compiler and Python's headers, as on
    this project's machines; elsewhere the Python renderer writes the same bytes."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    headers = Path(sysconfig.get_paths()["include"], "Python.h").exists()
    if compiler and headers:
        mod = native.module()
        assert mod is not None, "study/sim/_bulktext.c is not built: pip install -e . builds it"
        renderer = group_trace.renderer(*_render_args(), native=True)
        assert type(renderer).__module__ == "study.sim._bulktext"
    assert type(group_trace.renderer(*_render_args(), native=False)) is group_trace.PyRender


def _render_args():
    g = GroupTrace(scenario_from_dict(backlog(5)), native=False)
    return g.tpl, [group_trace.Segment(seg, g.epoch0) for seg in g.segs], 0


def test_a_stale_build_is_not_used(tmp_path: Path) -> None:
    class Built:
        source = "0" * 64

    source = tmp_path / "_bulktext.c"
    source.write_text("/* another version */\n")
    assert not native.current(Built, source)
    Built.source = hashlib.sha256(source.read_bytes()).hexdigest()
    assert native.current(Built, source)


@pytest.mark.skipif(native.module() is None, reason="needs the C module (test_the_c_renderer_is_built_... "
                                                    "fails where it should have been built)")
def test_the_modules_digests_are_hashlibs() -> None:
    mod = native.module()
    rng = random.Random(3)
    lib = native.libcrypto()
    try:
        for path in (lib, None):  # OpenSSL's, then the portable C
            mod.use_libcrypto(path)
            for size in [*range(0, 140), 1000, 4096]:
                data = bytes(rng.randrange(256) for _ in range(size))
                assert mod.digests(data) == (hashlib.sha256(data).digest(), hashlib.md5(data).digest()), size
    finally:
        mod.use_libcrypto(lib)


def test_a_write_error_is_reported(tmp_path: Path) -> None:
    """A full disk (here /dev/full) is an OSError from the writer thread, not a silent short trace."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    data = CASES["two batches"]
    for renderer in renderers():
        with open("/dev/full", "w", encoding="utf-8") as fp, pytest.raises(OSError):
            GroupTrace(scenario_from_dict(data), renderer).write(fp)


def test_the_cli_reports_a_full_disk_and_a_closed_pipe(tmp_path: Path) -> None:
    """`study sim --json > /dev/full`: a message and status 1, no traceback, on the round writer's path and the
    engine's; a reader that stops early (`| head -c 100`) ends the run quietly."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    for name, data in (("rounds", CASES["two batches"]), ("engine", backlog(300, max_invocations=7))):
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        with open("/dev/full", "wb") as full:
            done = subprocess.run([sys.executable, "-m", "study", "sim", str(path), "--json"], stdout=full,
                                  stderr=subprocess.PIPE, text=True)
        assert done.returncode == 1, (name, done.stderr)
        assert done.stderr.startswith("study: the trace could not be written: No space left on device"), done.stderr
        assert "Traceback" not in done.stderr
    big = tmp_path / "big.yaml"
    big.write_text(yaml.safe_dump(backlog(20000)), encoding="utf-8")
    head = subprocess.run(f"{sys.executable} -m study sim {big} --json | head -c 100", shell=True,
                          capture_output=True, text=True)
    assert head.stdout.startswith('{\n  "format": "study-trace/1"') and "Traceback" not in head.stderr, head.stderr


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.text(max_size=6), body=st.one_of(st.none(), st.text(max_size=12)), n=st.integers(2, 40),
       seed=st.integers(0, 2**31))
def test_any_prefix_and_body(prefix: str, body, n: int, seed: int) -> None:
    """Ids and bodies with quotes, backslashes, control characters, line separators and any Unicode: the C
    renderer escapes and digests them as the encoder and hashlib do (the ids' digests hash the raw text)."""
    data = backlog(n, batch=4, prefix=prefix, body=body, seed=seed)
    want = dumps(simulate(scenario_from_dict(data)))
    out = io.StringIO()
    simulate_to(scenario_from_dict(data), out)
    assert out.getvalue() == want
    surrogate = any("\ud800" <= ch <= "\udfff" for ch in prefix + (body or ""))
    assert group_trace_ok(scenario_from_dict(data)) is not surrogate  # UTF-8 cannot carry it: the engine's path
    for renderer in renderers() if not surrogate else ():
        assert written(data, renderer) == want
