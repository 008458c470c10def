"""Reading question files: with positions (for problems) or fast (for the common case of valid files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from study.sim import yamlpos


class _DuplicateKey(Exception):
    pass


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's safe loader (the C parser when available) that, like yamlpos, refuses a key written twice."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(k, deep=True) for k, _ in node.value]
        hashable = [k for k in keys if not isinstance(k, list | dict)]
        if len(set(hashable)) != len(hashable):
            raise _DuplicateKey
        return super().construct_mapping(node, deep=deep)


def read_yaml(file: Path, precise: bool) -> tuple[Any, yamlpos.Marks]:
    """The data and, when `precise`, the position of every value. The fast reader gives no positions: a caller
    that finds a problem reads the file again precisely to say where it is. Raises ScenarioError."""
    if precise:
        return yamlpos.load_file(str(file))
    try:
        with open(file, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_FastLoader), yamlpos.Marks()  # noqa: S506 - a safe loader
    except (_DuplicateKey, yaml.YAMLError, OSError, UnicodeDecodeError):
        return yamlpos.load_file(str(file))  # the precise reader words the problem, with its position
