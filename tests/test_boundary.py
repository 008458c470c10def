"""Every module outside the faces never imports Textual or Rich (style.md, the harlequin boundary test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

STUDY = Path(__file__).resolve().parent.parent / "study"
# The faces (docs/architecture.md, layers 5 and 6): the only modules that may import Textual or Rich.
FACES = ("study.tui", "study.terminal", "study.render", "study.snapshot", "study.serve", "study.cli",
         "study.__main__")


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


@pytest.mark.parametrize("module", _headless_modules())
def test_core_module_imports_no_ui(module: str) -> None:
    code = (f"import sys, {module}; bad = [m for m in ('textual', 'rich') if m in sys.modules]; "
            "print(','.join(bad)); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"{module} pulled in {result.stdout.strip()} {result.stderr[-400:]}"


def test_package_root_is_light() -> None:
    code = "import sys, study; print(len([m for m in sys.modules if m.startswith(('textual','rich','yaml'))]))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0"
