"""The generated question bank kept on disk between runs, so that `study quiz`, `study questions` and the app's
practice and exam start without generating it again (about 1.5 s of emulator runs a seed).

A stored bank is used only where it was generated from the same inputs: its file name carries a SHA-256 of the
format below, the seed, the Python version, and every byte of the study package's source, the content and the
question files (names and contents). Anything else (a file that cannot be read, or that is not this format) is
ignored and the bank is generated afresh and stored again; nothing stored is ever trusted beyond plain JSON data.
`study check` never reads it: a check generates every question itself."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import fields
from pathlib import Path

from study import paths
from study.quiz.model import Option, Question, Report

FORMAT = "study-generated-bank/1"
KEEP = 8  # stored banks kept in the cache folder, the newest first (each is about 2 MB)
_QUESTION_FIELDS = [f.name for f in fields(Question)]
_OPTION_FIELDS = [f.name for f in fields(Option)]
_REPORT_FIELDS = [f.name for f in fields(Report)]


def _values(obj, names: list[str]) -> dict:
    return {name: getattr(obj, name) for name in names}


def _inputs_digest(seed: int) -> str:
    h = hashlib.sha256(f"{FORMAT}\0{seed}\0{sys.version_info[:2]}\0".encode())
    package = Path(__file__).resolve().parent.parent
    trees = [(package, "*.py"), (paths.content_dir(), "*"), (paths.questions_dir(), "*")]
    for root, pattern in trees:
        h.update(f"\0tree\0{root.name}\0".encode())
        if not root.is_dir():
            continue
        for path in sorted(root.rglob(pattern)):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            data = path.read_bytes()
            h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def _file(seed: int) -> Path | None:
    folder = paths.cache_dir()
    if folder is None:
        return None
    try:
        digest = _inputs_digest(seed)
    except OSError:
        return None
    return folder / f"questions-{digest[:40]}.json"


def _question(data: dict) -> Question:
    values = {name: data[name] for name in _QUESTION_FIELDS}
    values["rules"] = tuple(values["rules"])
    values["options"] = tuple(Option(**{name: o[name] for name in _OPTION_FIELDS}) for o in values["options"])
    return Question(**values)


def _report(data: dict) -> Report:
    redraws: defaultdict = defaultdict(Counter)
    for key, counts in data["redraws"].items():
        redraws[key] = Counter(counts)
    return Report(per_template=Counter(data["per_template"]), redraws=redraws, given_up=Counter(data["given_up"]),
                  left_out=Counter(data["left_out"]), duplicates=int(data["duplicates"]), runs=int(data["runs"]),
                  hits=int(data["hits"]))


def load(seed: int) -> tuple[tuple[Question, ...], Report] | None:
    """The stored bank for SEED generated from today's inputs, or None."""
    path = _file(seed)
    if path is None:
        return None
    try:
        data = json.loads(path.read_bytes())
        if data.get("format") != FORMAT or data.get("seed") != seed:
            return None
        return tuple(_question(q) for q in data["questions"]), _report(data["report"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save(seed: int, questions: tuple[Question, ...], report: Report) -> None:
    """Store the bank (best effort: a cache folder that cannot be written only means generating next time too)."""
    path = _file(seed)
    if path is None:
        return
    # Tuples are written as lists and Counters as objects; _question and _report read them back as they were.
    data = {
        "format": FORMAT, "seed": seed,
        "questions": [_values(q, _QUESTION_FIELDS) | {"options": [_values(o, _OPTION_FIELDS) for o in q.options]}
                      for q in questions],
        "report": _values(report, _REPORT_FIELDS),
    }
    try:
        text = json.dumps(data, separators=(",", ":"))
    except (TypeError, ValueError):
        return  # a value JSON cannot hold: this bank is not stored
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".questions-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(path.parent)
    except OSError:
        return


def _prune(folder: Path) -> None:
    stored = sorted(folder.glob("questions-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in stored[KEEP:]:
        old.unlink(missing_ok=True)
