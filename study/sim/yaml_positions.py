"""Where each value of a YAML file was written: `Marks` finds the line and column of a path of keys and indexes
on demand, and `error_at` turns a path and a message into the `file:line:col` error every loader reports."""

from __future__ import annotations

import yaml
from yaml import events as ev

from study.sim.errors import ScenarioError
from study.sim.yaml_events import MERGE_KEY, Parser, Path_, dispose_parser, pos, scalar


class Marks:
    """Line and column (1-based) of every value by its path of keys and indexes.

    `get(path)` answers for a path the file wrote, or else its nearest written ancestor (a key the file left out
    is reported where its mapping is). A mapping's value is reported at its key. Positions are found when asked
    for, from the source kept here; paths through an alias are reported at the alias.
    """

    def __init__(self, source: bytes | str | None = None) -> None:
        self._at: dict[Path_, tuple[int, int]] = {}
        self._source = source
        self._looked: set[Path_] = set()

    def set(self, path: Path_, line: int, col: int) -> None:
        self._at[tuple(path)] = (line, col)
        self._looked.add(tuple(path))

    def get(self, path: Path_) -> tuple[int, int] | None:
        path = tuple(path)
        if self._source is not None and path not in self._looked:
            try:
                if len(self._looked) < _TARGETED_LOOKUPS:
                    self._looked.add(path)
                    self._at.update(_locate(self._source, path))
                else:  # a caller that asks for many positions (a question file's ids): index them all at once
                    self._at = _index(self._source)
                    self._source = None
            except yaml.YAMLError:  # pragma: no cover - the source was parsed once already
                pass
        while True:
            if path in self._at:
                return self._at[path]
            if not path:
                return None
            path = path[:-1]


def error_at(marks: Marks, file: str, path: Path_, message: str, cls: type[ScenarioError] = ScenarioError):
    """`message` as an error at the position of `path` (or of its nearest written ancestor) in `file`."""
    where = marks.get(path)
    line, col = where if where else (None, None)
    return cls(message, file, line, col)


_TARGETED_LOOKUPS = 2  # positions found by a pass that stops at the path; after that, one pass indexes them all


def _index(source: bytes | str) -> dict[Path_, tuple[int, int]]:
    """The position of every path the file wrote (not inside aliases), in one pass."""
    parser = Parser(source)
    get = parser.get_event
    at: dict[Path_, tuple[int, int]] = {}
    stack: list[list] = []  # [path, is_map, next index or None, key event awaited]
    try:
        while True:
            e = get()
            t = type(e)
            if e is None or t is ev.StreamEndEvent:
                return at
            if t in (ev.StreamStartEvent, ev.DocumentStartEvent, ev.DocumentEndEvent):
                continue
            if t is ev.MappingEndEvent or t is ev.SequenceEndEvent:
                stack.pop()
                if stack and stack[-1][1]:
                    stack[-1][3] = True
                continue
            if not stack:
                path: Path_ = ()
                at[path] = pos(e.start_mark)
            else:
                frame = stack[-1]
                if frame[1]:
                    if frame[3]:  # this event is a key
                        key = scalar(e) if t is ev.ScalarEvent else None
                        plain = frame[0] is not None and key is not None and key is not MERGE_KEY
                        frame[2] = (*frame[0], key) if plain else None
                        if frame[2] is not None:
                            at[frame[2]] = pos(e.start_mark)
                        frame[3] = False
                        if t is ev.ScalarEvent or t is ev.AliasEvent:
                            continue
                        stack.append([None, t is ev.MappingStartEvent, 0, True])  # a complex key: not indexed
                        continue
                    path = frame[2]
                    frame[3] = True
                else:
                    path = None if frame[0] is None else (*frame[0], frame[2])
                    frame[2] += 1
                    if path is not None:
                        at[path] = pos(e.start_mark)
            if t is ev.MappingStartEvent:
                stack.append([path, True, None, True])
            elif t is ev.SequenceStartEvent:
                stack.append([path, False, 0, False])
    except ScenarioError:
        return at
    finally:
        dispose_parser(parser)


def _skip(first, get) -> None:
    if type(first) in (ev.ScalarEvent, ev.AliasEvent):
        return
    depth = 1
    while depth:
        t = type(get())
        if t is ev.MappingStartEvent or t is ev.SequenceStartEvent:
            depth += 1
        elif t is ev.MappingEndEvent or t is ev.SequenceEndEvent:
            depth -= 1


def _locate(source: bytes | str, target: Path_) -> dict[Path_, tuple[int, int]]:
    """The positions of `target` and of each of its ancestors that the file wrote (stops at the target)."""
    parser = Parser(source)
    get = parser.get_event
    found: dict[Path_, tuple[int, int]] = {}
    try:
        e = get()
        while type(e) is not ev.DocumentStartEvent:
            if e is None or type(e) is ev.StreamEndEvent:
                return found
            e = get()
        e = get()
        path: Path_ = ()
        found[path] = pos(e.start_mark)
        for want in target:
            if type(e) is ev.MappingStartEvent:
                while True:
                    k = get()
                    if type(k) is ev.MappingEndEvent:
                        return found
                    key = scalar(k) if type(k) is ev.ScalarEvent else _skip(k, get)
                    v = get()
                    if type(key) is type(want) and key == want:
                        path = (*path, want)
                        found[path] = pos(k.start_mark)
                        e = v
                        break
                    _skip(v, get)
            elif type(e) is ev.SequenceStartEvent and type(want) is int:
                i = 0
                while True:
                    v = get()
                    if type(v) is ev.SequenceEndEvent:
                        return found
                    if i == want:
                        path = (*path, want)
                        found[path] = pos(v.start_mark)
                        e = v
                        break
                    _skip(v, get)
                    i += 1
            else:
                return found
        return found
    except ScenarioError:
        return found
    finally:
        dispose_parser(parser)
