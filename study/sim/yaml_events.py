"""The event level of the app's YAML reader (study/sim/yamlpos.py): the parser (libyaml when present), and the
Python value of one scalar exactly as PyYAML's SafeLoader makes it. Shared by the reader and by the position
finder (study/sim/yaml_positions.py)."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.loader import SafeLoader as PurePythonParser  # the same events as libyaml's, slower
from yaml.nodes import ScalarNode

from study.sim.errors import ScenarioError

Path_ = tuple[Any, ...]

try:  # libyaml, when PyYAML was built with it (its wheels are)
    from yaml.cyaml import CParser as Parser
except ImportError:  # pragma: no cover
    Parser = PurePythonParser

__all__ = ["MERGE_KEY", "Parser", "PurePythonParser", "Path_", "dispose_parser", "pos", "refuse", "scalar"]

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_IMPLICIT = yaml.SafeLoader.yaml_implicit_resolvers
_CONSTRUCT = SafeConstructor()
_SCALAR_MAKERS = {
    "tag:yaml.org,2002:int": _CONSTRUCT.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCT.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": _CONSTRUCT.construct_yaml_timestamp,
    "tag:yaml.org,2002:binary": _CONSTRUCT.construct_yaml_binary,
}
_BOOL = SafeConstructor.bool_values


def pos(mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def refuse(message: str, mark=None) -> ScenarioError:
    if mark is None:
        return ScenarioError(message)
    return ScenarioError(message, line=mark.line + 1, col=mark.column + 1)


def scalar(e) -> Any:
    """The Python value of a scalar event, as PyYAML's SafeLoader makes it."""
    value = e.value
    tag = e.tag
    if tag is None or tag == "!":
        if not e.implicit[0]:
            return value
        resolvers = _IMPLICIT.get(value[0] if value else "")
        if not resolvers:
            return value
        for rtag, regexp in resolvers:
            if regexp.match(value):
                tag = rtag
                break
        else:
            return value
    if tag == _STR:
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return _BOOL[value.lower()]
    if tag == _MERGE:
        return MERGE_KEY
    make = _SCALAR_MAKERS.get(tag)
    if make is None:
        if tag == "tag:yaml.org,2002:value":
            raise refuse("a plain = is not a value; write it in quotes", e.start_mark)
        raise refuse(f"the tag {tag!r} is not allowed (plain YAML values only: mappings, lists, text, numbers, "
                      "true/false, null and timestamps)", e.start_mark)
    try:
        if tag == "tag:yaml.org,2002:int" and value.isascii() and value.isdigit() and value[0] != "0":
            return int(value)
        return make(ScalarNode(tag, value, e.start_mark, e.end_mark))
    except (yaml.YAMLError, ValueError, OverflowError) as err:
        raise refuse(f"{value!r} is not a valid {tag.rsplit(':', 1)[-1]}: {err}", e.start_mark) from None


class MergeKey:
    """The `<<` key of a merge (YAML 1.1), as the SafeLoader supports it."""


MERGE_KEY = MergeKey()



def dispose_parser(parser) -> None:
    dispose = getattr(parser, "dispose", None)  # the pure-Python parser has one; libyaml's frees itself
    if dispose is not None:
        dispose()
