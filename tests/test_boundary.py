"""The headless core never imports Textual or Rich (style.md, the harlequin boundary test)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import study.challenges
import study.classroom
import study.learning
import study.quiz
import study.sim


def _modules(pkg) -> list[str]:
    # __main__ runs a program when imported (python -m study.classroom); its imports are headless.py's.
    return [pkg.__name__] + [f"{pkg.__name__}.{m.name}" for m in pkgutil.walk_packages(pkg.__path__)
                             if m.name != "__main__"]


@pytest.mark.parametrize("module", _modules(study.sim) + _modules(study.quiz) + _modules(study.classroom)
                         + _modules(study.challenges) + _modules(study.learning))
def test_core_module_imports_no_ui(module: str) -> None:
    code = (f"import sys, {module}; bad = [m for m in ('textual', 'rich') if m in sys.modules]; "
            "print(','.join(bad)); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"{module} pulled in {result.stdout.strip()} {result.stderr[-400:]}"


def test_package_root_is_light() -> None:
    code = "import sys, study; print(len([m for m in sys.modules if m.startswith(('textual','rich','yaml'))]))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0"
