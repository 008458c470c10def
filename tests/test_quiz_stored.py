"""The generated bank kept on disk between runs (study.quiz.stored): what is read back is exactly what was
generated, it is used only for the same inputs, and a missing, broken or unwritable cache only means generating
again."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from study import paths
from study.quiz import stored
from study.quiz.generate import Report, generate_all


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("STUDY_CACHE", str(folder))
    return folder


def test_a_stored_bank_reads_back_as_the_generated_one(cache) -> None:
    report = Report()
    fresh = tuple(generate_all(0, report=report))  # generated here, never read from a cache
    assert stored.load(0) is None
    stored.save(0, fresh, report)
    [path] = cache.glob("questions-*.json")
    questions, got = stored.load(0)
    assert questions == fresh  # dataclass equality: tuples stay tuples, every field and option the same
    assert got == report
    assert json.loads(path.read_text())["format"] == stored.FORMAT


def _tree(root):
    for name in ("content", "questions"):
        shutil.copytree(paths.content_dir().parent / name, root / name)
    return root


def test_the_file_depends_on_the_seed_and_every_input(tmp_path, cache, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_DATA", str(_tree(tmp_path / "data")))
    first = stored._file(0)
    assert first == stored._file(0) and first.parent == cache
    assert stored._file(1) != first
    template = sorted((tmp_path / "data" / "questions" / "templates").glob("*.yaml"))[0]
    template.write_text(template.read_text() + "\n# one more line\n")
    assert stored._file(0) != first
    lab = sorted((tmp_path / "data" / "content" / "labs").glob("*.yaml"))[0]
    changed = stored._file(0)
    lab.rename(lab.with_name("renamed-" + lab.name))
    assert stored._file(0) != changed


def _one_question_bank():
    from study.quiz.model import Option, Question

    q = Question(id="x", section="18.1", rules=("r",), kind="single", stem="s?", answer="a", explanation="e",
                 source="generated", options=(Option("a", True, "yes"), Option("b", False, "no")))
    return (q,), Report(duplicates=1)


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"format": "other"}', '{"format": "study-generated-bank/1",'
                                  ' "seed": 0, "questions": [{"id": 1}], "report": {}}', "\x00\xff"])
def test_a_broken_stored_file_is_ignored_and_replaced(cache, text) -> None:
    path = stored._file(0)
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    assert stored.load(0) is None
    bank = _one_question_bank()
    stored.save(0, *bank)
    assert stored.load(0) == bank


def test_an_unwritable_cache_or_off_keeps_nothing(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("STUDY_CACHE", str(blocker / "cache"))  # its parent is a file: nothing can be made there
    stored.save(0, *_one_question_bank())
    assert stored.load(0) is None
    monkeypatch.setenv("STUDY_CACHE", "off")
    assert paths.cache_dir() is None
    stored.save(0, *_one_question_bank())
    assert stored.load(0) is None and os.listdir(tmp_path) == ["a-file"]


def test_only_the_newest_banks_are_kept(cache, monkeypatch) -> None:
    bank = _one_question_bank()
    for seed in range(stored.KEEP + 3):
        stored.save(seed, *bank)
        os.utime(stored._file(seed), (seed, seed))  # distinct ages, oldest first
    kept = sorted(cache.glob("questions-*.json"))
    assert len(kept) == stored.KEEP
    assert stored.load(stored.KEEP + 2) == bank and stored.load(0) is None


def test_study_questions_reads_the_same_bank_it_generates(cache) -> None:
    def run(env_cache: str) -> str:
        result = subprocess.run([sys.executable, "-m", "study", "questions", "--json", "--section", "18.12"],
                                capture_output=True, text=True, timeout=120,
                                env={**os.environ, "STUDY_CACHE": env_cache})
        assert result.returncode == 0, result.stderr
        return result.stdout

    generated = run(str(cache))  # generates seed 0 and stores it
    assert len(list(cache.glob("questions-*.json"))) == 1
    (cache / "questions-marker").write_text("")  # not a bank: left alone
    assert run(str(cache)) == generated  # read back
    assert run("off") == generated
