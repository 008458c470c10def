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


def test_a_test_that_forgets_study_home_errors(tmp_path: Path) -> None:
    """A copy of our conftest, in a pytest run of its own, reports a test that opens the store without STUDY_HOME."""
    inner = tmp_path / "inner"
    inner.mkdir()
    shutil.copy(HERE / "conftest.py", inner / "conftest.py")
    (inner / "test_forgetful.py").write_text(FORGETFUL_TEST)
    fake_home = tmp_path / "home"  # the inner run's "real" data directory lives here, never the user's
    env = {**os.environ, "HOME": str(fake_home), "XDG_DATA_HOME": str(fake_home / ".local" / "share"),
           "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("STUDY_HOME", None)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                             "--rootdir", str(inner), str(inner)],
                            cwd=inner, env=env, capture_output=True, text=True, timeout=300)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "1 passed, 1 error" in out, out
    assert "touched data outside its STUDY_HOME" in out and "without STUDY_HOME" in out, out

