"""What every test shares: its own STUDY_HOME, and a guard that fails any test which would reach the learner's
real data directory (see tests/README.md).

Every test runs with STUDY_HOME set to a fresh folder of its own and with XDG_DATA_HOME pointing at a decoy
folder, so code that forgets STUDY_HOME resolves to the decoy instead of the learner's data (platformdirs honours
XDG_DATA_HOME on Linux and macOS). After each test the decoy must still hold no `lambda-study` folder; otherwise
the test errors at teardown. The real directory is not compared before and after: another process on the machine
(the app itself, another checkout's tests) may change it at any time, which would fail tests for nothing.

XDG_CACHE_HOME points at the same decoy, and STUDY_CACHE at one folder of the session's that every test and worker
shares: the generated question bank (study.quiz.stored) is then generated once per seed in a run, by whichever
process asks first, and read by the others, as it is between two runs of the app. Nothing in it outlives the run.

The suite runs on every core (pytest-xdist, `-n auto` in pyproject.toml): the workers share the main process's
session folder, so the decoy check at the end of the run covers their module and session fixtures too.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from pathlib import Path

import platformdirs
import pytest

APP = "lambda-study"  # the folder name study.paths asks platformdirs for


# Read before anything below changes the environment: where the learner's data would live on this machine.
REAL_DATA_DIR = Path(platformdirs.user_data_dir(APP, appauthor=False))

# Module- and session-scoped fixtures, and code run while test modules are imported, happen before any
# function fixture: they get a session-wide STUDY_HOME and decoy, so they cannot reach the real data either.
_SESSION_ROOT = Path(tempfile.mkdtemp(prefix="study-tests-"))


def _use_session_root(root: Path) -> None:
    global _SESSION_ROOT
    _SESSION_ROOT = root
    os.environ["STUDY_HOME"] = str(root / "session-home")
    os.environ["XDG_DATA_HOME"] = os.environ["XDG_CACHE_HOME"] = str(root / "session-decoy")
    os.environ["STUDY_CACHE"] = str(root / "session-cache")


_use_session_root(_SESSION_ROOT)


def _is_worker(config) -> bool:
    """An xdist worker: it runs tests; the main process only hands them out and reports."""
    return hasattr(config, "workerinput")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """(xdist, main process) Each worker gets the main process's session folder."""
    node.workerinput["study_session_root"] = str(_SESSION_ROOT)


# The collector, tuned for this test process (the app keeps Python's defaults). By default a collection of the
# youngest objects runs every 700 allocations and a full one every 100 of those, each full one walking every object
# alive: the imported modules, Textual, Hypothesis, and the traces the tests build. In one run that was 60 s of the
# suite's 315 s of CPU (gc.callbacks, summed over both workers), 45 s of it in full collections. Collecting the
# youngest generation every 10,000 allocations instead makes full collections a hundred times rarer. Measured with
# the heap also frozen after collection: two workers went from 172 s to 142 s of wall clock and 313 s to 256 s of
# CPU, same machine, quiet; then two alternating pairs (three workers) took 159 and 151 s with the freeze, 164 and
# 150 s without, so the freeze is left out: a frozen heap turns off the freeze that study.sim.run.simulate_to makes
# for a run of its own, which made test_sim_spool's streamed traces 40% slower. (A threshold of 50,000 was slower
# again: 154 s.) No test depends on when a collection happens; the tests that bound memory pause the collector
# themselves or measure a child process.
GC_THRESHOLD = (10_000, 10, 10)
gc.set_threshold(*GC_THRESHOLD)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config) -> int | None:
    """`-n auto` (pyproject.toml) starts one worker more than the cores this process may use. Some tests wait
    rather than compute (Pilot's idle waits, child processes, learner code's real-time timeouts: about 30 s of the
    two workers' wall on two cores), and a third worker fills those gaps. Five runs of each, alternating, on this
    two-core machine: medians 155 s with two workers, 145 s with three, the CPU the same. PYTEST_XDIST_AUTO_NUM_WORKERS
    still decides where it is set; `-n N` is never changed."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or config.option.numprocesses != "auto":
        return None  # xdist's own rule
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return cores + 1


def pytest_configure(config) -> None:
    if _is_worker(config) and "study_session_root" in config.workerinput:
        own = _SESSION_ROOT
        _use_session_root(Path(config.workerinput["study_session_root"]))
        shutil.rmtree(own, ignore_errors=True)


def pytest_sessionfinish(session, exitstatus) -> None:
    """The session-wide decoy is checked once, at the end (a module fixture that forgot STUDY_HOME); with xdist,
    by the main process after every worker has finished (a worker's exit status is not passed on)."""
    if _is_worker(session.config):
        return
    problems = touched(_SESSION_ROOT / "session-decoy")
    if problems:
        writer = session.config.get_terminal_writer()
        writer.line()
        writer.line("ERROR: a fixture or an import touched data outside STUDY_HOME: " + "; ".join(problems), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config) -> None:
    if not _is_worker(config):
        shutil.rmtree(_SESSION_ROOT, ignore_errors=True)


def touched(decoy: Path) -> list[str]:
    """What the test just run did to data it must not touch (empty when nothing)."""
    if (decoy / APP).exists():
        return [f"it created {decoy / APP}: some code resolved the user data directory without STUDY_HOME, "
                f"which outside the tests is the learner's {REAL_DATA_DIR}"]
    return []


@pytest.fixture(autouse=True)
def study_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """This test's own, empty STUDY_HOME (its progress database goes there); request it to know the path."""
    # tempfile.mkdtemp, not tmp_path_factory.mktemp: mktemp numbers its folders by listing every folder made so far,
    # which made this fixture's cost grow with the run (two folders per test; about 2.5 ms a test by the end).
    # They go in a folder of their own, so pytest's own numbered folders (tmp_path) are found among few.
    base = tmp_path_factory.getbasetemp() / "homes"
    base.mkdir(exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="study-home-", dir=base))
    decoy = Path(tempfile.mkdtemp(prefix="xdg-data-decoy-", dir=base))
    monkeypatch.setenv("STUDY_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(decoy))
    monkeypatch.setenv("XDG_CACHE_HOME", str(decoy))
    yield home
    problems = touched(decoy)
    if problems:
        pytest.fail("this test touched data outside its STUDY_HOME: " + "; ".join(problems), pytrace=False)


def _quicker_pilot_pauses() -> None:
    """Pilot's `pause()` and `press()` wait until the process looks idle: they sleep in slices of 20 ms and stop
    after a slice in which the process used under 1 ms of CPU, so every pause costs 20 ms or more of wall clock
    even when nothing is left to do. Slices of 5 ms with the same idle ratio (under 5% of a slice) keep that rule
    and quarter the wait. A laxer ratio (10%) made the all-labs sweep fail on two busy workers: a process starved of
    CPU looks idle. Pilot still first waits for every message the screen and its widgets have queued; a test that
    needs a worker thread or a timer awaits it itself (`app.workers.wait_for_complete()`, `pilot.pause(seconds)`),
    and the all-labs sweep waits for named states instead (tests/test_tui_all_labs.until). Skipped where Textual
    has no such module."""
    try:
        from textual import _wait
    except ImportError:
        return
    if hasattr(_wait, "SLEEP_GRANULARITY") and hasattr(_wait, "SLEEP_IDLE"):
        _wait.SLEEP_GRANULARITY = 1 / 200
        _wait.SLEEP_IDLE = _wait.SLEEP_GRANULARITY / 20


_quicker_pilot_pauses()


def pytest_collection_modifyitems(config, items) -> None:
    """Every test in a tests/test_tui_*.py file carries the `tui` marker, so `-m "not tui"` runs the headless
    core alone."""
    for item in items:
        if item.path.name.startswith("test_tui_"):
            item.add_marker(pytest.mark.tui)
