"""Reading question files, through the app's one YAML reader (study.sim.yamlpos)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from study.sim import yamlpos


def read_yaml(file: Path, precise: bool = True) -> tuple[Any, yamlpos.Marks]:
    """The data and the position of every value. yamlpos reads with libyaml and finds positions only when a
    message asks for one, so `precise` no longer changes anything (kept for the callers that read a file again
    to word a problem). Raises ScenarioError."""
    return yamlpos.load_file(file)
