"""`Scenario.inputs`: the checked inputs in send order, as a sequence of dicts; a `count` input stays one compact
run (its prefix, count, instant and the fields its messages share) and builds a message's dict only when it is read.

Reading it by index or in order gives the same dicts as checking every input one by one would (tests/
test_count_inputs.py); the bulk lean path (study.sim.lean_bulk) reads counts, instants and shared fields from
the runs instead, so a backlog of a million costs no million dicts (docs/emulator.md "Lean mode and scale").
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import repeat
from typing import Any

# How each field of a generated input is made (study.sim.scenario.inputs checks the first ones in full and
# finds these): shared by all, the input's id, {"id": its id} (a default item), its index.
SHARED, ID, ID_ITEM, INDEX = 0, 1, 2, 3

Template = list[tuple[str, int, Any]]


def stamp(template: Template, iid: str, index: int) -> dict:
    return {key: value if kind == SHARED else iid if kind == ID else {"id": iid} if kind == ID_ITEM else index
            for key, kind, value in template}


class CountRun:
    """The inputs of one `count` input: ids prefix1..prefix{count}, indexes index..index+count-1, all sent at
    at_ms, fields made by `template`."""

    __slots__ = ("prefix", "count", "at_ms", "index", "template")

    def __init__(self, prefix: str, count: int, at_ms: int, index: int, template: Template):
        self.prefix, self.count, self.at_ms, self.index, self.template = prefix, count, at_ms, index, template

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, k: int) -> dict:
        return stamp(self.template, f"{self.prefix}{k + 1}", self.index + k)

    def ids(self, lo: int, hi: int) -> Iterator[str]:
        return map(self.prefix.__add__, map(str, range(lo + 1, hi + 1)))

    def items(self, lo: int, hi: int) -> Iterator[dict]:
        template, index = self.template, self.index
        for k, iid in enumerate(self.ids(lo, hi), lo):
            yield stamp(template, iid, index + k)

    def columns(self, keys: tuple[str, ...], lo: int, hi: int) -> Iterator[tuple[tuple, int]]:
        """(the values of `keys`, how many inputs in a row have them) for inputs lo..hi-1; None for a missing key."""
        kinds = {key: (kind, value) for key, kind, value in self.template}
        made = [kinds.get(key, (SHARED, None)) for key in keys]
        if all(kind == SHARED for kind, _ in made):
            if hi > lo:
                yield tuple(value for _, value in made), hi - lo
            return
        for k, iid in enumerate(self.ids(lo, hi), lo):
            yield tuple(v if kind == SHARED else iid if kind == ID else {"id": iid} if kind == ID_ITEM
                        else self.index + k for kind, v in made), 1


class Inputs(Sequence):
    """The inputs in send order (by `at`, then as written): a list of segments, each a run of dicts written out
    or a `CountRun`; len() and positions by arithmetic."""

    __slots__ = ("_segs", "_ends")

    def __init__(self, segments: list[list[dict] | CountRun] = ()):
        self._segs: list[list[dict] | CountRun] = [s for s in segments if len(s)]
        self._ends: list[int] = []
        end = 0
        for seg in self._segs:
            end += len(seg)
            self._ends.append(end)

    @classmethod
    def in_send_order(cls, entries: list[dict | CountRun]) -> Inputs:
        """From the inputs in the order written (dicts with at_ms and index, and runs): sorted by (at_ms, index),
        so a run stays whole (its indexes follow each other, so nothing else sorts inside it)."""
        def key(x):
            return (x.at_ms, x.index) if isinstance(x, CountRun) else (x["at_ms"], x["index"])

        segs: list[list[dict] | CountRun] = []
        for x in sorted(entries, key=key):
            if isinstance(x, CountRun):
                segs.append(x)
            elif segs and isinstance(segs[-1], list):
                segs[-1].append(x)
            else:
                segs.append([x])
        return cls(segs)

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def __getitem__(self, i):
        if isinstance(i, slice):
            lo, hi, step = i.indices(len(self))
            if step != 1:
                return list(self)[i]
            return [item for seg, a, b in self.segments(lo, hi) for item in (
                seg[a:b] if isinstance(seg, list) else seg.items(a, b))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("input index out of range")
        s = bisect_right(self._ends, i)
        return self._segs[s][i - (self._ends[s - 1] if s else 0)]

    def __iter__(self) -> Iterator[dict]:
        for seg in self._segs:
            if isinstance(seg, list):
                yield from seg
            else:
                yield from seg.items(0, seg.count)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Inputs | list | tuple):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Inputs({len(self)} inputs in {len(self._segs)} segments)"

    def segments(self, lo: int = 0, hi: int | None = None) -> Iterator[tuple[list[dict] | CountRun, int, int]]:
        """(segment, first, end) covering inputs lo..hi-1, positions within each segment."""
        hi = len(self) if hi is None else hi
        start = 0
        for seg, end in zip(self._segs, self._ends, strict=True):
            if end > lo and start < hi:
                yield seg, max(lo, start) - start, min(hi, end) - start
            if end >= hi:
                return
            start = end

    def ids(self) -> Iterator[str]:
        """Every input's id, in order, with no dict built."""
        for seg in self._segs:
            if isinstance(seg, list):
                yield from (item["id"] for item in seg)
            else:
                yield from seg.ids(0, seg.count)

    def instants(self) -> Iterator[tuple[int, int, int]]:
        """(at_ms, first, end) of each stretch of inputs sent at the same instant."""
        first, at, pos = 0, None, 0
        for seg in self._segs:
            for t, n in (((x["at_ms"], 1) for x in seg) if isinstance(seg, list) else ((seg.at_ms, seg.count),)):
                if t != at:
                    if at is not None:
                        yield at, first, pos
                    at, first = t, pos
                pos += n
        if at is not None:
            yield at, first, pos

    def columns(self, keys: tuple[str, ...], lo: int = 0, hi: int | None = None) -> Iterator[tuple[tuple, int]]:
        """(the values of `keys`, how many inputs in a row have them) for inputs lo..hi-1, None for a missing key:
        a run whose inputs share them counts as one."""
        for seg, a, b in self.segments(lo, hi):
            if isinstance(seg, list):
                yield from zip((tuple(map(x.get, keys)) for x in seg[a:b]), repeat(1))
            else:
                yield from seg.columns(keys, a, b)
