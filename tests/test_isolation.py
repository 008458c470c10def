"""No test reaches the learner's real data: tests/conftest.py gives each test its own STUDY_HOME and errors any test
that resolves the data directory without it or changes the real one. These tests prove the guard works, including
that it fails a test which forgets."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import platformdirs
from conftest import APP, REAL_DATA_DIR

from study import paths
from study.learning.store import FILE_NAME, Store

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def test_each_test_gets_its_own_empty_study_home(study_home: Path, tmp_path_factory) -> None:
    assert paths.user_data_dir() == study_home
    assert study_home.is_relative_to(tmp_path_factory.getbasetemp())
    assert list(study_home.iterdir()) == []


def test_the_store_opens_inside_the_tests_home(study_home: Path) -> None:
    store = Store()
    try:
        assert store.path == study_home / FILE_NAME and store.path.exists()
    finally:
        store.close()


def test_forgetting_study_home_resolves_to_the_decoy_not_the_real_directory(monkeypatch) -> None:
    monkeypatch.delenv("STUDY_HOME")
    resolved = paths.user_data_dir()
    assert resolved != REAL_DATA_DIR
    assert resolved == Path(os.environ["XDG_DATA_HOME"]) / APP == Path(platformdirs.user_data_dir(APP, appauthor=False))


FORGETFUL_TEST = '''
from study.learning.store import Store


def test_forgets_study_home(monkeypatch):
    monkeypatch.delenv("STUDY_HOME")
    Store().close()
'''


def _inner_run(tmp_path: Path, test_text: str, *args: str) -> tuple[int, str]:
    """A copy of our conftest and one test file, in a pytest run of its own: exit status and output."""
    inner = tmp_path / "inner"
    inner.mkdir()
    shutil.copy(HERE / "conftest.py", inner / "conftest.py")
    (inner / "test_forgetful.py").write_text(test_text)
    fake_home = tmp_path / "home"  # the inner run's "real" data directory lives here, never the user's
    env = {**os.environ, "HOME": str(fake_home), "XDG_DATA_HOME": str(fake_home / ".local" / "share"),
           "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("STUDY_HOME", None)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                             "--rootdir", str(inner), *args, str(inner)],
                            cwd=inner, env=env, capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def test_a_test_that_forgets_study_home_errors(tmp_path: Path) -> None:
    """A copy of our conftest, in a pytest run of its own, reports a test that opens the store without STUDY_HOME."""
    code, out = _inner_run(tmp_path, FORGETFUL_TEST)
    assert code == 1, out
    assert "1 passed, 1 error" in out, out
    assert "touched data outside its STUDY_HOME" in out and "without STUDY_HOME" in out, out


FORGETFUL_MODULE_FIXTURE = '''
import pytest

from study.learning.store import Store


@pytest.fixture(scope="module")
def store():
    import os

    del os.environ["STUDY_HOME"]  # no monkeypatch at module scope: this fixture forgets for good
    return Store()


def test_uses_the_store(store):
    store.close()
'''


def test_a_module_fixture_that_forgets_fails_the_run_on_an_xdist_worker_too(tmp_path: Path) -> None:
    """Run on a worker (-n 1, as `-n auto` in pyproject.toml does): the worker's session decoy is the main
    process's, which checks it after the workers finish and fails the run (xdist passes on no worker's status)."""
    code, out = _inner_run(tmp_path, FORGETFUL_MODULE_FIXTURE, "-n", "1")
    assert "1 passed" in out, out
    assert code == 1, out
    assert "a fixture or an import touched data outside STUDY_HOME" in out, out
