"""Property tests over the file formats: Hypothesis writes scenarios, labs, playlists and question files (valid ones
and mutations of them: wrong types, out-of-range values, unknown keys, huge and tiny numbers, odd Unicode, deep
nesting, aliases, stray bytes) and checks that `study sim` ends with status 0 or 2 (2 with `file[:line[:col]]: `),
`study check` ends with 0 or 1, never with a traceback, within a time bound (Hypothesis' deadline) and a memory
bound (the peak resident memory the call adds; see `peak_growth`). Bounded examples, derandomized, so CI stays fast and repeatable; set
STUDY_PROPERTY_EXAMPLES (and STUDY_PROPERTY_RANDOM=1 for fresh draws) to explore more locally.

Every generated scenario keeps a small run budget (`until`, `max_invocations`): the emulator's own bounds
(7 simulated days, 1,000,000 runs) are part of the scenario contract and are not what these tests are about.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
import io
import math
import os
import re
import sys
import tempfile
import tracemalloc
from datetime import timedelta
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from study import paths
from study.cli import main
from study.sim import yamlpos

EXAMPLES = int(os.environ.get("STUDY_PROPERTY_EXAMPLES", "25"))
MEMORY_MB = 200
SETTINGS = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=30), database=None,
                    derandomize=not os.environ.get("STUDY_PROPERTY_RANDOM"),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
TRIGGERS = ["sync", "async", "s3", "schedule", "sns", "eventbridge", "sqs", "kinesis", "dynamodb", "alb"]
ODD_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
INTERESTING = st.one_of(
    st.sampled_from([0, -1, 1, 2, 3, 10, 900, 901, 10**9, 2**63, -(2**63), 10**400, 1e308, -1e308, 5e-324, 0.0005,
                     0.1, 1.5, math.inf, -math.inf, math.nan, True, False, None, "", "sqs:dlq", "arn:aws:sqs:x",
                     "2026-13-45T99:00:00Z", [], {}, [1, 2], {"k": "v"}, "x" * 5000]),
    st.integers(), st.floats(allow_nan=True), ODD_TEXT,
)


@functools.cache
def _shipped(folder: Path) -> list[dict]:
    """The files' data, read when a test first draws from them, not when every xdist worker collects this file."""
    return [yamlpos.load_file(f)[0] for f in sorted(folder.glob("*.yaml"))]


def _labs() -> list[dict]:
    return _shipped(paths.labs_dir())


def _cases() -> list[dict]:
    return [d for d in _shipped(Path(__file__).parent / "cases") if isinstance(d, dict)]


LABS = st.deferred(lambda: st.sampled_from(_labs()))
LABS_AND_CASES = st.deferred(lambda: st.sampled_from(_labs() + _cases()))
PLAYLISTS = sorted((paths.content_dir() / "demos").glob("*.yaml"))
BANKS = sorted((paths.questions_dir() / "bank").glob("*.yaml"))


@st.composite
def small_scenarios(draw) -> dict:
    ttype = draw(st.sampled_from(TRIGGERS))
    scenario: dict = {"title": draw(ODD_TEXT.filter(bool) | st.just("t")), "trigger": {"type": ttype}}
    behavior = draw(st.fixed_dictionaries({}, optional={
        "duration": st.sampled_from([0, 0.5, 2, 5]), "fail": st.sampled_from(["never", "always"]),
        "fail_attempts": st.lists(st.integers(1, 3), max_size=2)}))
    scenario["function"] = {"Timeout": draw(st.sampled_from([1, 3, 10])), "behavior": behavior}
    if ttype != "schedule":
        n = draw(st.integers(1, 4))
        scenario["inputs"] = [{"id": f"i{k}", "at": draw(st.sampled_from([0, 0.5, 1, 30]))} for k in range(n)]
    else:
        scenario["trigger"]["ScheduleExpression"] = "rate(1 minute)"
    return scenario


def _paths(value, at=()) -> list[tuple]:
    """Every path into a value (mapping keys and list indexes), the root included."""
    out = [at]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*at, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*at, i))
    return out


def _get(value, path):
    for p in path:
        value = value[p]
    return value


def _set(root, path, new):
    if not path:
        return new
    _get(root, path[:-1])[path[-1]] = new
    return root


@st.composite
def mutated(draw, base: dict) -> dict:
    """A deep copy of `base` with a few structural mutations."""
    data = yamlpos._copy(base)
    for _ in range(draw(st.integers(0, 3))):
        spots = _paths(data)
        where = draw(st.sampled_from(spots))
        kind = draw(st.sampled_from(["replace", "delete", "unknown_key", "nest", "alias", "retype"]))
        target = _get(data, where)
        if kind == "replace":
            data = _set(data, where, draw(INTERESTING))
        elif kind == "delete" and where:
            parent = _get(data, where[:-1])
            del parent[where[-1]]
        elif kind == "unknown_key" and isinstance(target, dict):
            target[draw(ODD_TEXT | st.sampled_from(["Timeout ", "timeout", "inputs", "lab", "<<"]))] = draw(INTERESTING)
        elif kind == "nest":
            depth = draw(st.sampled_from([1, 20, 98, 99, 100, 101, 300]))
            value = target
            for _ in range(depth):
                value = [value]
            data = _set(data, where, value)
        elif kind == "alias":  # the same object twice: the dumper writes an anchor and aliases
            shared = [target] * draw(st.integers(2, 9))
            for _ in range(draw(st.integers(0, 8))):
                shared = [shared] * 9
            data = _set(data, where, shared)
            break  # walking an expanded billion laughs for a next mutation would take the test's own memory
        elif kind == "retype":
            data = _set(data, where, draw(st.sampled_from([str(target), [target], {"v": target}, None])))
    return data


def _dump(data) -> bytes:
    try:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
    except (RecursionError, yaml.YAMLError):
        text = repr(data)[:10000]  # not YAML a dumper can write; the reader gets it as it is
    return text.encode("utf-8", "surrogatepass")


@st.composite
def file_bytes(draw, base_strategy) -> bytes:
    """YAML text of a (mutated) value, sometimes with stray bytes or deep brackets spliced in."""
    text = _dump(draw(base_strategy))
    splice = draw(st.sampled_from(["none", "none", "bytes", "brackets", "truncate", "control"]))
    at = draw(st.integers(0, len(text)))
    if splice == "bytes":
        text = text[:at] + draw(st.binary(min_size=1, max_size=8)) + text[at:]
    elif splice == "brackets":
        n = draw(st.sampled_from([50, 101, 5000]))
        text = text[:at] + b"[" * n + b"]" * n + text[at:]
    elif splice == "truncate":
        text = text[:at]
    elif splice == "control":
        text = text[:at] + bytes([draw(st.sampled_from([0, 1, 7, 27, 127]))]) + text[at:]
    return text


def _budget(data):
    """Keep the run small whatever the mutations did (see the module docstring)."""
    if isinstance(data, dict):
        data["until"] = 600
        data["max_invocations"] = 200
    return data


def scenario_strategy():
    bases = LABS_AND_CASES | small_scenarios()
    return bases.flatmap(lambda b: mutated(b)).map(_budget)


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def _libc():
    """glibc, where it has malloc_trim and mallinfo2 (2.33 and later); else None."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        _status_kib("VmHWM")
    except (OSError, AttributeError, LookupError):
        return None
    return libc


_LIBC = _libc()


def _pymalloc_free_bytes() -> int | None:
    """Bytes inside pymalloc's arenas that no object holds (what a new small object can take without the resident
    size growing), from sys._debugmallocstats, which writes to the C-level stderr; None where it says nothing of
    them (PYTHONMALLOC=malloc, or tracemalloc running)."""
    with tempfile.TemporaryFile() as f:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(f.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        f.seek(0)
        text = f.read().decode()
    used = re.search(r"# bytes in allocated blocks\s*=\s*([\d,]+)", text)
    total = re.search(r"^Total\s*=\s*([\d,]+)", text, re.M)
    if used is None or total is None:
        return None
    return int(total[1].replace(",", "")) - int(used[1].replace(",", ""))


@contextlib.contextmanager
def peak_growth():
    """Yield a list that holds, once the block ends, an upper bound (MiB) on the most memory the block added.

    With glibc on Linux: the process's resident high-water mark (VmHWM), reset just before the block by writing 5
    to /proc/self/clear_refs, less the resident size then; plus the free memory the block could have reused without
    the resident size growing: the free bytes in pymalloc's arenas and in glibc's heap (after malloc_trim has handed
    back what it can). The collector is paused inside the block, so no garbage from before it is freed there for
    reuse. The bound can only be too high. Elsewhere it is tracemalloc's peak, which slows an allocation-heavy run
    four to thirteen times: with tracemalloc this file took 17 s of CPU, with this about 4."""
    result: list[float] = []
    free = _pymalloc_free_bytes() if _LIBC is not None and not tracemalloc.is_tracing() else None
    if free is None:
        tracemalloc.start()
        try:
            yield result
            result.append(tracemalloc.get_traced_memory()[1] / 2**20)
        finally:
            tracemalloc.stop()
        return
    collecting = gc.isenabled()
    gc.disable()
    try:
        _LIBC.malloc_trim(0)
        reusable = free + _LIBC.mallinfo2().fordblks
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        base = _status_kib("VmRSS")
        yield result
        result.append((_status_kib("VmHWM") - base) / 1024 + reusable / 2**20)
    finally:
        if collecting:
            gc.enable()


def test_the_memory_measure_sees_a_blowup() -> None:
    """The bound below can fail: 300 MiB written inside the block shows, and an empty block stays far below it."""
    with peak_growth() as big:
        blob = b"x" * (300 * 2**20)
        del blob
    with peak_growth() as small:
        pass
    assert big[0] >= 290, big
    assert small[0] < 100, small


def _run(argv: list[str]) -> tuple[int, str, str, float]:
    out, err = io.StringIO(), io.StringIO()
    with peak_growth() as peak, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)  # an exception escaping here is the traceback the user would see
    if os.environ.get("STUDY_PROPERTY_PEAKS"):
        print(f"PEAK {peak[0]:.1f} MiB {argv}", file=sys.__stderr__)
    return code, out.getvalue(), err.getvalue(), peak[0]


@SETTINGS
@given(text=file_bytes(scenario_strategy()))
def test_study_sim_ends_with_0_or_2_and_no_traceback(tmp_path_factory, text: bytes) -> None:
    f = tmp_path_factory.mktemp("sim") / "s.yaml"
    f.write_bytes(text)
    code, _, err, peak = _run(["sim", str(f), "--summary"])
    event(f"study sim exit {code}")
    assert code in (0, 2), err
    if code == 2:
        assert re.match(rf"study: {re.escape(str(f))}(:\d+(:\d+)?)?: \S", err), err
    assert "Traceback" not in err
    assert peak < MEMORY_MB, f"{peak:.0f} MB"


def _data_tree(root: Path, labs: list[str]) -> Path:
    """A course tree for `study check` with the real lessons and rules and only the named labs."""
    content = root / "content"
    (content / "labs").mkdir(parents=True, exist_ok=True)
    (content / "demos").mkdir(exist_ok=True)
    for name in ("lessons", "rules.yaml"):
        if not (content / name).exists():
            (content / name).symlink_to(paths.content_dir() / name)
    for lab in labs:
        (content / "labs" / f"{lab}.yaml").symlink_to(paths.labs_dir() / f"{lab}.yaml")
    (root / "questions" / "bank").mkdir(parents=True, exist_ok=True)
    (root / "questions" / "templates").mkdir(exist_ok=True)
    return root


def _check(root: Path, monkeypatch) -> tuple[int, str, str, float]:
    monkeypatch.setenv("STUDY_DATA", str(root))
    return _run(["check"])


def _assert_checked(code: int, out: str, err: str, peak: float) -> None:
    event(f"study check exit {code}, {'generated' if 'generated' in out else 'no problem in'} the generated file")
    assert code in (0, 1), out + err
    assert "Traceback" not in out + err
    assert peak < MEMORY_MB, f"{peak:.0f} MB"


@SETTINGS
@given(text=file_bytes(LABS.flatmap(lambda b: mutated(b)).map(_budget)))
def test_study_check_survives_any_lab_file(tmp_path_factory, monkeypatch, text: bytes) -> None:
    root = _data_tree(tmp_path_factory.mktemp("data"), [])
    (root / "content" / "labs" / "generated.yaml").write_bytes(text)
    code, out, err, peak = _check(root, monkeypatch)
    _assert_checked(code, out, err, peak)


def _playlist(path: Path) -> tuple[dict, list[str]]:
    data = yamlpos.load_file(path)[0]
    return data, [item["lab"] for item in data["items"]]


@SETTINGS
@given(pick=st.sampled_from(PLAYLISTS), data=st.data())
def test_study_check_survives_any_playlist_file(tmp_path_factory, monkeypatch, pick: Path, data) -> None:
    base, labs = _playlist(pick)
    text = data.draw(file_bytes(mutated(base)))
    root = _data_tree(tmp_path_factory.mktemp("data"), labs)
    (root / "content" / "demos" / "generated.yaml").write_bytes(text)
    code, out, err, peak = _check(root, monkeypatch)
    _assert_checked(code, out, err, peak)


@SETTINGS
@given(pick=st.sampled_from(BANKS), data=st.data())
def test_study_check_survives_any_question_file(tmp_path_factory, monkeypatch, pick: Path, data) -> None:
    base = yamlpos.load_file(pick)[0]
    base = {"questions": base["questions"][:3]}
    text = data.draw(file_bytes(mutated(base)))
    root = _data_tree(tmp_path_factory.mktemp("data"), [])
    (root / "questions" / "bank" / pick.name).write_bytes(text)
    code, out, err, peak = _check(root, monkeypatch)
    _assert_checked(code, out, err, peak)
