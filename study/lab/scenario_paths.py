"""A value at a path in a scenario's data, read (`get_in`) and written (`set_in`). A path is a tuple of keys and
list indexes, or dotted text such as `trigger.Queue.RedrivePolicy.maxReceiveCount` or `inputs[0].headers`.

The one writer for every changed copy of a scenario: a lab's what-if settings and an instructor playlist's
what-if (`set: {dotted.setting: value}`).
"""

from __future__ import annotations

import copy
from typing import Any


def path_keys(path: str | tuple | list) -> tuple:
    """A path as a tuple of keys and indexes; dotted text is read as answer paths are (study.sim.expect)."""
    if isinstance(path, str):
        from study.sim.expect import parse_path

        return tuple(parse_path(path))
    return tuple(path)


def get_in(data: Any, path: str | tuple | list, default: Any = None) -> Any:
    """The value at `path`, or `default` when any step of it is missing."""
    node = data
    for key in path_keys(path):
        if isinstance(key, int) and isinstance(node, list):
            if not -len(node) <= key < len(node):
                return default
        elif not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


def set_in(data: dict, path: str | tuple | list, value: Any) -> None:
    """Write a copy of `value` at `path` in place; `None` removes the key. A missing (or non-mapping) step on
    the way becomes a mapping; a list index must exist."""
    keys = path_keys(path)
    node: Any = data
    for key, following in zip(keys, keys[1:]):
        if isinstance(key, int) or isinstance(following, int):
            node = node[key]
            continue
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    last = keys[-1]
    if value is None and not isinstance(last, int):
        node.pop(last, None)
    else:
        node[last] = copy.deepcopy(value)
