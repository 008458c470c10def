"""A scenario's inputs: written under `inputs`, generated with `count`, or read from an `inputs_file`; each is
checked by its trigger's rules (study/sim/scenario/triggers.py)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from study.sim import yaml_positions, yamlpos
from study.sim.errors import ScenarioError
from study.sim.scenario.checker import Checker
from study.sim.scenario.input_ids import InputIds
from study.sim.scenario.input_sequence import ID, ID_ITEM, INDEX, SHARED, CountRun, Inputs, Template, stamp
from study.sim.scenario.triggers import TRIGGERS

MAX_INPUTS = 50_000  # inputs written out one by one (under `inputs` or in an inputs_file)
# Inputs in all, `count` expansions included: a generated backlog is cheap to read, and the scaling ramp needs
# about a million messages (the emulator runs it in its lean mode for --summary).
MAX_GENERATED = 1_000_000
INPUTS_FILE_BYTES = 32 * 1024 * 1024  # an inputs_file is read line by line, up to this size
INPUT_LINE_BYTES = 1024 * 1024  # one line of an inputs_file (an SQS message is at most 256 KB)


class _Read:
    """The inputs read so far, in the order written: dicts and `count` runs, how many in all and how many were
    written out one by one, and the ids they use."""

    def __init__(self) -> None:
        self.entries: list[dict | CountRun] = []
        self.total = 0
        self.written = 0
        self.seen = InputIds(len(str(MAX_GENERATED)))

    def append(self, one: dict) -> None:
        self.entries.append(one)
        self.total += 1


def check_inputs(c: Checker, top: dict, ttype: str, trigger: dict, base_dir: Path) -> Inputs:
    raw = top.get("inputs")
    from_file = top.get("inputs_file")
    if ttype == "schedule":
        if raw or from_file is not None:
            key = "inputs" if raw else "inputs_file"
            raise c.fail((key,), f"{key}: a schedule trigger takes no inputs; the rule fires by itself")
        return Inputs()
    if raw is None and from_file is None:
        raise c.fail((), f"inputs: required for a {ttype} trigger (or inputs_file: a JSON Lines file beside "
                     "the scenario)")
    if raw is not None and not isinstance(raw, list):
        raise c.fail(("inputs",), "inputs: expected a list")
    if raw is not None and len(raw) > MAX_INPUTS:  # before checking 50,000 of them one by one
        raise c.fail(("inputs", MAX_INPUTS), _too_many(len(raw), MAX_INPUTS, "written out"))
    read = _Read()
    for i, item in enumerate(raw or ()):
        _one_input(c, item, ("inputs", i), ttype, trigger, read)
    if from_file is not None:
        _inputs_file(c, from_file, base_dir, ttype, trigger, read)
    return Inputs.in_send_order(read.entries)


def _one_input(c: Checker, item: Any, p: tuple, ttype: str, trigger: dict, read: _Read) -> None:
    """One input as written (or a `count` of them)."""
    item = c.mapping(item, p, "an input")
    c.unknown(item, TRIGGERS[ttype].input_keys, p, f"a {ttype} input")
    at_ms = c.seconds(item, "at", p, 0, 0)
    if "count" in item or "prefix" in item:
        if "count" not in item or "prefix" not in item or "id" in item:
            raise c.fail(p, "an input with count needs a prefix (ids prefix1..prefixN) and no id")
        n = c.integer(item, "count", p, None, 1, MAX_GENERATED)
        if read.total + n > MAX_GENERATED:
            raise c.fail((*p, "count"), _too_many(read.total + n, MAX_GENERATED, "generated with count"))
        _count_input(c, item, p, n, at_ms, ttype, trigger, read)
        return
    read.written += 1
    if read.written > MAX_INPUTS or read.total >= MAX_GENERATED:
        limit = MAX_INPUTS if read.written > MAX_INPUTS else MAX_GENERATED
        raise c.fail(p, _too_many(read.total + 1 if limit == MAX_GENERATED else read.written, limit,
                                  "written out" if limit == MAX_INPUTS else "in all"))
    iid = item.get("id")
    if iid is None:
        raise c.fail(p, "id: required (a short name for this input, e.g. e1)")
    if isinstance(iid, bool) or not isinstance(iid, str | int):
        raise c.fail((*p, "id"), "id: expected a short name")
    one = dict(item, id=str(iid), at_ms=at_ms, index=read.total, _where=p)
    one.pop("at", None)
    add_input(c, one, read.seen, p, ttype, trigger, read)


def _count_input(c: Checker, item: dict, p: tuple, n: int, at_ms: int, ttype: str, trigger: dict,
                 read: _Read) -> None:
    """ids prefix1..prefixN, refused or accepted as checking each in turn would: the first inputs are checked in
    full and the rest follow from them (the same dicts, same key order), so they are kept as one `CountRun`; the
    first id already taken is found by arithmetic (study.sim.scenario.input_ids)."""
    prefix = c.string(item, "prefix", p)
    base = {k: v for k, v in item.items() if k not in ("count", "prefix", "at")}
    taken = read.seen.first_taken(prefix, n)
    check = TRIGGERS[ttype].check_input
    first = read.total
    made: list[dict] = []
    template = None
    for k in range(1, n + 1):
        if k == taken:
            raise c.fail(p, f"id: {prefix + str(k)!r} is used by two inputs; ids must be unique")
        if k > 3 and template is not None:
            if taken is not None:
                raise c.fail(p, f"id: {prefix + str(taken)!r} is used by two inputs; ids must be unique")
            break
        one = dict(base, id=f"{prefix}{k}", at_ms=at_ms, index=first + k - 1, _where=p)
        if check is not None:
            check(c, one, p, trigger)
        made.append(one)
        if k == 2:
            template = _stamp_template(made[0], one)
        elif k == 3 and template is not None and list(stamp(template, one["id"], one["index"]).items()) != list(
                one.items()):
            template = None  # the stamp would differ: check every input in full
    read.seen.add_run(prefix, n)
    if template is None:
        for one in made:
            read.append(one)
    else:
        read.entries.append(CountRun(prefix, n, at_ms, first, template))
        read.total += n


def _too_many(n: int, limit: int, how: str) -> str:
    return f"{n:,} inputs are more than the {limit:,} one scenario may have {how} (the limit)"


class _LineMarks(yaml_positions.Marks):
    """Positions in an inputs_file: ("inputs", N, ...) is the line of its N-th input."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int] = []

    def get(self, path):
        if len(path) >= 2 and path[0] == "inputs" and isinstance(path[1], int) and path[1] < len(self.lines):
            return self.lines[path[1]], 1
        return None


def _inputs_file(c: Checker, value: Any, base_dir: Path, ttype: str, trigger: dict, read: _Read) -> None:
    """inputs_file: one JSON object per line, read as a stream; each is an input as written under `inputs`."""
    if not isinstance(value, str) or not value.strip():
        raise c.fail(("inputs_file",), "inputs_file: expected the name of a JSON Lines file beside the scenario")
    folder = base_dir.resolve()
    path = (folder / value).resolve()
    if not path.is_relative_to(folder):
        raise c.fail(("inputs_file",), f"inputs_file: {value!r} is outside the scenario's folder; put the file "
                     "beside the scenario (or in a folder below it)")
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below; read line by line
    except OSError as err:
        raise c.fail(("inputs_file",), f"inputs_file: cannot read {value!r}: {err.strerror or err}") from None
    marks = _LineMarks()
    fc = Checker(str(path), marks, c.profile, c.misconceptions)
    size = 0
    with fh:
        for lineno in itertools.count(1):
            line = fh.readline(INPUT_LINE_BYTES + 1)
            if not line:
                return
            size += len(line)
            if len(line) > INPUT_LINE_BYTES:
                raise ScenarioError(f"the line is longer than {INPUT_LINE_BYTES:,} bytes (the limit of one input)",
                                    str(path), lineno, 1)
            if size > INPUTS_FILE_BYTES:
                raise ScenarioError(f"the file is larger than {INPUTS_FILE_BYTES:,} bytes (the limit of an "
                                    "inputs_file)", str(path), lineno, 1)
            if not line.strip():
                continue
            try:
                text = line.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as err:
                raise ScenarioError("the line is not UTF-8 text", str(path), lineno, err.start + 1) from None
            try:
                item = json.loads(text)
            except json.JSONDecodeError as err:
                raise ScenarioError(f"not valid JSON: {err.msg}", str(path), lineno, err.colno) from None
            except RecursionError:
                raise ScenarioError("the JSON is nested too deep", str(path), lineno, 1) from None
            if not isinstance(item, dict):
                raise ScenarioError("expected one input per line, a JSON object such as {\"id\": \"m1\"}",
                                    str(path), lineno, 1)
            if text.count("[") + text.count("{") > yamlpos.LIMITS.depth and _depth(item) > yamlpos.LIMITS.depth:
                raise ScenarioError(f"nested more than {yamlpos.LIMITS.depth} levels deep (the limit of lists and "
                                    "objects inside each other)", str(path), lineno, 1)
            marks.lines.append(lineno)
            _one_input(fc, item, ("inputs", len(marks.lines) - 1), ttype, trigger, read)


def _depth(value: Any) -> int:
    """How deep lists and mappings nest in a JSON value (iterative, so any depth is safe to measure)."""
    deepest = 0
    todo = [(value, 1)]
    while todo:
        v, d = todo.pop()
        if isinstance(v, dict):
            v = list(v.values())
        if isinstance(v, list):
            deepest = max(deepest, d)
            todo.extend((x, d + 1) for x in v)
    return deepest


def _stamp_template(first: dict, second: dict) -> Template | None:
    """From the first two checked inputs of a `count` input, what the others are, field by field in order: shared,
    the id itself (a default body, partition key, data), {"id": id} (a default item) or its index
    (study.sim.scenario.input_sequence). None when the two differ in any other way (then every input is checked
    in full)."""
    if list(first) != list(second):
        return None
    fields: Template = []
    for key, value in first.items():
        if key == "index":
            fields.append((key, INDEX, None))
        elif key == "id" or value == first["id"] and second[key] == second["id"] and value != second[key]:
            fields.append((key, ID, None))
        elif value == second[key]:
            fields.append((key, SHARED, value))
        elif value == {"id": first["id"]} and second[key] == {"id": second["id"]}:
            fields.append((key, ID_ITEM, None))
        else:
            return None
    return fields


def add_input(c: Checker, one: dict, seen: set | InputIds, p: tuple, ttype: str, trigger: dict, out) -> None:
    """One input, checked by its trigger's rules (study/sim/scenario/triggers.py) and added to `out`."""
    iid = one["id"]
    if iid in seen:
        raise c.fail(p, f"id: {iid!r} is used by two inputs; ids must be unique")
    seen.add(iid)
    check = TRIGGERS[ttype].check_input
    if check is not None:
        check(c, one, p, trigger)
    out.append(one)
