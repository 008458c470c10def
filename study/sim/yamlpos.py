"""Safe YAML loading that remembers where every key and value was written (for file:line:col errors)."""

from __future__ import annotations

from typing import Any

import yaml

from study.sim.errors import ScenarioError

Path_ = tuple[Any, ...]


class Marks:
    """Line and column (1-based) of every value by its path of keys and indexes."""

    def __init__(self) -> None:
        self._at: dict[Path_, tuple[int, int]] = {}

    def set(self, path: Path_, line: int, col: int) -> None:
        self._at[path] = (line, col)

    def get(self, path: Path_) -> tuple[int, int] | None:
        # The nearest written ancestor stands in for a key the file left out.
        path = tuple(path)
        while True:
            if path in self._at:
                return self._at[path]
            if not path:
                return None
            path = path[:-1]


def _construct(node: yaml.Node, path: Path_, marks: Marks, loader: yaml.SafeLoader) -> Any:
    marks.set(path, node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                raise ScenarioError(
                    "a mapping key must be a plain value", line=key_node.start_mark.line + 1,
                    col=key_node.start_mark.column + 1,
                )
            if key in out:
                raise ScenarioError(
                    f"{key}: written twice in the same mapping", line=key_node.start_mark.line + 1,
                    col=key_node.start_mark.column + 1,
                )
            out[key] = _construct(value_node, (*path, key), marks, loader)
            # A key's own position is where errors about that key point.
            marks.set((*path, key), key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(child, (*path, i), marks, loader) for i, child in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def load(text: str, file: str = "<scenario>") -> tuple[Any, Marks]:
    """Parse YAML text with the safe loader; return the data and the marks of every path."""
    marks = Marks()
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, marks
        return _construct(node, (), marks, loader), marks
    except ScenarioError as err:
        err.file = file
        raise
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = err.problem or "not valid YAML"
        if err.context:
            what = f"{err.context}: {what}"
        raise ScenarioError(
            f"not valid YAML: {what}", file, mark.line + 1 if mark else None, mark.column + 1 if mark else None
        ) from None
    except yaml.YAMLError as err:
        raise ScenarioError(f"not valid YAML: {err}", file) from None
    finally:
        loader.dispose()


def load_file(path: str) -> tuple[Any, Marks]:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as err:
        raise ScenarioError(f"cannot read the file: {err.strerror}", str(path)) from None
    except UnicodeDecodeError:
        raise ScenarioError("the file is not UTF-8 text", str(path)) from None
    return load(text, str(path))
