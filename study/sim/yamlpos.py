"""The one YAML reader of the app: safe, bounded, fast, and able to say where every key and value was written.

Every YAML file the app loads (scenarios, labs, playlists, challenges, question banks and templates, rules,
lesson front matter) MUST be read through `load_file` (or `load` for text already in memory). Nothing else in the
app calls `yaml.load`/`yaml.safe_load` on a file: a new loader (e.g. for `content/challenges/*.yaml`) calls
`yamlpos.load_file(path)` and reports `ScenarioError` as `file:line:col: message` with exit status 2 (or a message
in the TUI).

What it guarantees for any file, however hostile:
- safe loading only: plain YAML values (mappings, lists, text, numbers, booleans, null, timestamps, binary);
  any other tag is refused;
- bounded work and memory: caps on the file size, the nesting depth, the number of values, the number of alias
  uses and the number of values aliases bring in (a "billion laughs" is refused at its first excess alias);
  each refusal names the file, line and column and the limit that was hit (`Limits`);
- text it cannot read (not UTF-8, control characters) is refused with its position, never a traceback;
- a key written twice, or a mapping key that is not a plain value, is an error at the key's position;
- aliases are expanded to copies, so changing one place in the data never changes another.

Speed: the file is parsed by libyaml (PyYAML's C parser, shipped in its wheels) when present and the Python
values are built straight from its events in one pass, with the garbage collector paused (nothing built here
can form a cycle). Positions cost nothing on this path: `Marks` keeps the source and finds the line and column
of a path only when an error message asks for one (a second pass over the parser's events that stops at the
path; study/sim/yaml_positions.py). The scalar level (the parser, one scalar's value) is study/sim/yaml_events.py.
`bench/bench_yaml.py` compares this reader with a plain `yaml.load(..., Loader=yaml.CSafeLoader)`.
"""

from __future__ import annotations

import gc
import os
import re
import threading
from dataclasses import dataclass
from typing import Any

import yaml
from yaml import events as ev

from study.sim.errors import ScenarioError
from study.sim.yaml_events import MERGE_KEY, Parser, PurePythonParser, dispose_parser, pos, refuse, scalar
from study.sim.yaml_positions import Marks


@dataclass(frozen=True)
class Limits:
    """What one YAML file may hold. The defaults fit every file the course ships many times over; a file beyond
    them is refused before it can slow the app down or fill its memory."""

    file_bytes: int = 8 * 1024 * 1024  # a 200,000-message scenario written one per line is 4.9 MB
    depth: int = 100  # lists and mappings inside each other
    values: int = 1_500_000  # every mapping, list and scalar, keys included, aliases counted expanded
    aliases: int = 10_000  # uses of `*name`
    alias_values: int = 100_000  # values that aliases bring in, all uses together


LIMITS = Limits()

# YAML's printable set (tab, line breaks, and everything else but C0/C1 controls, surrogates and U+FFFE/U+FFFF).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")

_COLLECTION_TAGS = (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _copy(value: Any) -> Any:
    """A fresh copy of an aliased collection (its depth is already bounded by `Limits.depth`)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


class _Frame:
    __slots__ = ("container", "is_map", "key", "key_mark", "has_key", "start", "anchor", "values_at", "height",
                 "merges")

    def __init__(self, container, is_map, start, anchor, values_at):
        self.container = container
        self.is_map = is_map
        self.key = None
        self.key_mark = None
        self.has_key = False
        self.start = start
        self.anchor = anchor
        self.values_at = values_at
        self.height = 1
        self.merges = None


def _build(parser, limits: Limits) -> Any:
    """Python values from the parser's events, one pass, every limit checked as the values are made."""
    get = parser.get_event
    scalar_event, mapping_start, mapping_end = ev.ScalarEvent, ev.MappingStartEvent, ev.MappingEndEvent
    sequence_start, sequence_end, alias_event = ev.SequenceStartEvent, ev.SequenceEndEvent, ev.AliasEvent
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int, int, Any] | None] = {}
    max_values, max_depth = limits.values, limits.depth
    count = 0  # values so far, aliases counted expanded
    alias_uses = 0
    alias_values = 0
    root: Any = None
    documents = 0
    top = None  # the innermost open collection

    while True:
        e = get()
        t = type(e)
        if t is scalar_event:
            count += 1
            value = scalar(e)
            mark = e.start_mark
            if value is MERGE_KEY and (top is None or not top.is_map or top.has_key):
                raise refuse("<< (a merge) can only be a mapping key", mark)
            if count > max_values:
                raise refuse(f"more than {max_values:,} values in the file (the limit)", mark)
            if e.anchor is not None:
                if e.anchor in anchors:
                    raise refuse(f"the anchor &{e.anchor} is defined twice", mark)
                anchors[e.anchor] = (value, 1, 0, mark)
            height = 0
        elif t is mapping_start or t is sequence_start:
            count += 1
            if e.tag not in _COLLECTION_TAGS:
                raise refuse(f"the tag {e.tag!r} is not allowed (plain YAML values only: mappings, lists, text, "
                              "numbers, true/false, null and timestamps)", e.start_mark)
            if len(stack) >= max_depth:
                raise refuse(f"nested more than {max_depth} levels deep (the limit of lists and mappings inside "
                              "each other)", e.start_mark)
            if e.anchor is not None:
                if e.anchor in anchors:
                    raise refuse(f"the anchor &{e.anchor} is defined twice", e.start_mark)
                anchors[e.anchor] = None  # open: an alias to it now would make a value contain itself
            top = _Frame({} if t is mapping_start else [], t is mapping_start, e.start_mark, e.anchor, count)
            stack.append(top)
            if count > max_values:
                raise refuse(f"more than {max_values:,} values in the file (the limit)", e.start_mark)
            continue
        elif t is mapping_end or t is sequence_end:
            done = stack.pop()
            value = done.container
            mark = done.start
            height = done.height
            if done.merges is not None:
                value = _merged(done, value)
            if done.anchor is not None:
                anchors[done.anchor] = (value, count - done.values_at + 1, height, mark)
            top = stack[-1] if stack else None
        elif t is alias_event:
            mark = e.start_mark
            if e.anchor not in anchors:
                raise refuse(f"the alias *{e.anchor} refers to no anchor &{e.anchor} written before it", mark)
            target = anchors[e.anchor]
            if target is None:
                raise refuse(f"the alias *{e.anchor} is inside the value it refers to (a value cannot contain "
                              "itself)", mark)
            alias_uses += 1
            if alias_uses > limits.aliases:
                raise refuse(f"more than {limits.aliases:,} aliases in the file (the limit of `*name` uses)", mark)
            value, size, height, _ = target
            alias_values += size
            count += size
            if alias_values > limits.alias_values:
                raise refuse(f"the alias *{e.anchor} brings the values that aliases repeat to {alias_values:,}, "
                              f"over the limit of {limits.alias_values:,}", mark)
            if count > max_values:
                raise refuse(f"more than {max_values:,} values in the file once its aliases are expanded "
                              "(the limit)", mark)
            if len(stack) + height > max_depth:
                raise refuse(f"the alias *{e.anchor} nests its value more than {max_depth} levels deep "
                              "(the limit of lists and mappings inside each other)", mark)
            if height:
                value = _copy(value)
        elif t is ev.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise refuse("expected a single document in the file, but found another one", e.start_mark)
            continue
        elif t is ev.StreamEndEvent or e is None:
            return root
        else:  # stream start, document end
            continue

        # `value` is complete: put it where it belongs.
        if top is None:
            root = value
        elif not top.is_map:
            top.container.append(value)
            if height >= top.height:
                top.height = height + 1
        elif not top.has_key:
            if isinstance(value, dict | list | set):
                raise refuse("a mapping key must be a plain value (text, a number, true/false or null)", mark)
            top.key = value
            top.key_mark = mark
            top.has_key = True
        else:
            key = top.key
            top.has_key = False
            if height >= top.height:
                top.height = height + 1
            if key is MERGE_KEY:
                _add_merge(top, value, mark)
                continue
            d = top.container
            if key in d:
                raise refuse(f"{key}: written twice in the same mapping", top.key_mark)
            d[key] = value


def _add_merge(frame: _Frame, value: Any, mark) -> None:
    if isinstance(value, dict):
        maps = [value]
    elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
        maps = list(reversed(value))  # the first mapping listed wins, as in PyYAML
    else:
        raise refuse("<<: expected a mapping or a list of mappings to merge", mark)
    if frame.merges is None:
        frame.merges = []
    frame.merges.extend((m, mark) for m in maps)


def _merged(frame: _Frame, explicit: dict) -> dict:
    """Merged keys first, then the keys written in the mapping (which may not repeat a merged one)."""
    out: dict = {}
    for m, _ in frame.merges:
        out.update(m)
    for key, value in explicit.items():
        if key in out:
            raise refuse(f"{key}: written twice in the same mapping (once through <<)", frame.start)
        out[key] = value
    return out


def _check_text(text: str) -> None:
    bad = _UNPRINTABLE.search(text)
    if bad is not None:
        i = bad.start()
        line = text.count("\n", 0, i) + 1
        col = i - (text.rfind("\n", 0, i) + 1) + 1
        raise ScenarioError(f"the control character U+{ord(bad.group()):04X} is not allowed in YAML text "
                            "(only tab and line breaks are)", line=line, col=col)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[:err.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise ScenarioError(f"the file is not UTF-8 text: byte 0x{data[err.start]:02x} cannot be read "
                            "(save the file as UTF-8)", line=line, col=col) from None



class _GcPause:
    """The collector paused while any thread builds values (the TUI reads in worker threads): the first reader in
    pauses it if it was running, the last one out turns it back on."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.readers = 0
        self.was_enabled = False

    def __enter__(self) -> None:
        with self.lock:
            if self.readers == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.readers += 1

    def __exit__(self, *exc) -> None:
        with self.lock:
            self.readers -= 1
            if self.readers == 0 and self.was_enabled:
                gc.enable()


_GC_PAUSE = _GcPause()


def _parse(source: bytes | str, file: str, limits: Limits, parser_class: type = Parser) -> Any:
    parser = parser_class(source)
    try:
        with _GC_PAUSE:  # values are built by the million; none can form a cycle (aliases are copied)
            return _build(parser, limits)
    except ScenarioError as err:
        err.file = file
        raise
    except yaml.MarkedYAMLError as err:
        if parser_class is not PurePythonParser and "maximum nesting depth" in str(err.problem):
            # libyaml of PyYAML 6.0.4 and later scans a flow collection's brackets ahead of the events and stops
            # at its own depth limit (about 1,000) before the events reach ours (Limits.depth): the pure-Python
            # parser, which has no such limit, gives the events up to ours, and so the same refusal and position
            # whichever PyYAML is installed.
            return _parse(source, file, limits, PurePythonParser)
        mark = err.problem_mark or err.context_mark
        what = err.problem or "not valid YAML"
        if err.context:
            what = f"{err.context}: {what}"
        raise ScenarioError(f"not valid YAML: {what}", file, *(pos(mark) if mark else (None, None))) from None
    except yaml.YAMLError as err:
        raise ScenarioError(f"not valid YAML: {err}", file) from None
    finally:
        dispose_parser(parser)


def load(text: str, file: str = "<scenario>", limits: Limits = LIMITS) -> tuple[Any, Marks]:
    """Parse YAML text (already read); return the data and its `Marks`. Raises ScenarioError (file:line:col)."""
    if len(text.encode("utf-8", "surrogatepass")) > limits.file_bytes:
        raise ScenarioError(f"the text is larger than {limits.file_bytes:,} bytes (the limit)", file, 1, 1)
    try:
        _check_text(text)
    except ScenarioError as err:
        err.file = file
        raise
    return _parse(text, file, limits), Marks(text)


def load_file(path, limits: Limits = LIMITS) -> tuple[Any, Marks]:
    """Read one YAML file of the app: the data and its `Marks`. THE way to read YAML in this app: every loader
    (scenarios, labs, playlists, challenges, questions, rules) calls this. Raises ScenarioError with the file,
    line and column of the first problem: unreadable file, too large, not UTF-8, control characters, invalid
    YAML, or a limit of `Limits` exceeded."""
    file = str(path)
    try:
        with open(file, "rb") as fh:
            # read(n) sets n bytes aside first: ask for no more than the file holds, then read on (a pipe, or a
            # file that grew) up to the limit.
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(min(size, limits.file_bytes) + 1)
            if len(data) > size:
                data += fh.read(limits.file_bytes + 1 - len(data))
    except OSError as err:
        raise ScenarioError(f"cannot read the file: {err.strerror or err}", file) from None
    if len(data) > limits.file_bytes:
        raise ScenarioError(f"the file is larger than {limits.file_bytes:,} bytes (the limit of a YAML file)",
                            file, 1, 1)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        _check_text(_decode(data))
    except ScenarioError as err:
        err.file = file
        raise
    return _parse(data, file, limits), Marks(data)
