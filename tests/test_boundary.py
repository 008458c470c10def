"""Every module outside the faces never imports Textual or Rich (style.md, the harlequin boundary test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

STUDY = Path(__file__).resolve().parent.parent / "study"
# The faces (docs/architecture.md, layers 5 and 6): the only modules that may import Textual or Rich.
FACES = ("study.tui", "study.terminal", "study.render", "study.snapshot", "study.serve", "study.cli",
         "study.__main__")

# Run in one fresh interpreter: for each module, a forked child (a copy of an interpreter that has imported nothing
# of study, textual or rich) imports that module alone and reports which of textual and rich it pulled in. Each
# module is checked in isolation, as with one interpreter per module, without paying an interpreter's start-up and
# the standard library's imports 125 times (about 12 s of CPU per run). Where fork is missing, one interpreter per
# module.
_PROBE = r"""
import json, os, sys
# What most modules import anyway, loaded once before the forks (none of it loads textual or rich; checked below).
import argparse, collections, dataclasses, datetime, decimal, functools, hashlib, heapq, itertools, math, random
import re, sqlite3, string, textwrap, typing, yaml
assert not {"textual", "rich"} & set(sys.modules), "a preloaded module pulled in textual or rich"
results = {}
for name in sys.argv[1:]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            __import__(name)
            report = ",".join(m for m in ("textual", "rich") if m in sys.modules)
        except BaseException as exc:
            report = "error: " + type(exc).__name__ + ": " + str(exc)[:300]
        os.write(write, report.encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while True:
        chunk = os.read(read, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    results[name] = b"".join(chunks).decode()
print(json.dumps(results))
"""


def _headless_modules() -> list[str]:
    """Every module of study/ outside the faces, so a new package is covered without being listed here.
    A __main__ runs a program when imported (python -m study.classroom); its imports are its package's."""
    found = []
    for file in sorted(STUDY.rglob("*.py")):
        parts = file.relative_to(STUDY.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if parts[-1] != "__main__" and not any(name == f or name.startswith(f + ".") for f in FACES):
            found.append(name)
    return found


MODULES = _headless_modules()


def _alone(module: str) -> str:
    """What importing MODULE in a fresh interpreter pulls in of textual and rich ("" for nothing)."""
    code = (f"import sys, {module}; bad = [m for m in ('textual', 'rich') if m in sys.modules]; "
            "print(','.join(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else "error: " + result.stderr[-400:]


@pytest.fixture(scope="module")
def pulled_in() -> dict[str, str]:
    """For every headless module, what importing it alone pulls in of textual and rich."""
    if not hasattr(os, "fork"):
        return {module: _alone(module) for module in MODULES}
    result = subprocess.run([sys.executable, "-c", _PROBE, *MODULES], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_the_probe_sees_a_face_pull_in_textual() -> None:
    """The check can fail: the same probe, given a face, reports Textual."""
    if not hasattr(os, "fork"):
        assert "textual" in _alone("study.tui.app")
        return
    result = subprocess.run([sys.executable, "-c", _PROBE, "study.tui.app", "json"], capture_output=True, text=True)
    got = json.loads(result.stdout)
    assert "textual" in got["study.tui.app"] and got["json"] == ""


@pytest.mark.parametrize("module", MODULES)
def test_core_module_imports_no_ui(module: str, pulled_in: dict[str, str]) -> None:
    assert pulled_in[module] == "", f"{module} pulled in {pulled_in[module]}"


def test_package_root_is_light() -> None:
    code = "import sys, study; print(len([m for m in sys.modules if m.startswith(('textual','rich','yaml'))]))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0"
