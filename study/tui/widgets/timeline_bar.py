"""The whole run on one line: runs and errors over time, the playhead, predicted times and the divergence.

Line API with the histogram and axis lines cached per width: a frame only rebuilds the marker line."""

from __future__ import annotations

from itertools import groupby

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from study.tui import palette

BARS = " ▁▂▃▄▅▆▇█"
GUTTER = 8  # room for the row labels


class TimelineBar(Widget):
    DEFAULT_CSS = """
    TimelineBar { height: 3; width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = None
        self.t = 0.0
        self.pos = 0
        self.predicted: list[float] = []
        self.diverged_at: float | None = None
        self.diverged_pos: int | None = None
        self._cache: dict[tuple, Strip] = {}

    def set_model(self, model) -> None:
        self.model = model
        self._cache.clear()
        self.refresh()

    def show(self, t: float, pos: int = 0) -> None:
        if (t, pos) != (self.t, self.pos):
            self.t, self.pos = t, pos
            self.refresh()

    def mark(self, predicted: list[float], diverged_at: float | None, diverged_pos: int | None = None) -> None:
        self.predicted = list(predicted)
        self.diverged_at = diverged_at
        self.diverged_pos = diverged_pos
        self.refresh()

    def _column(self, t: float, width: int, pos: int | None = None) -> int:
        if self.model is None:
            return 0
        if self.model.by_step and pos is None:
            return 0  # a predicted time on a one-instant run: everything is at t = 0
        return self.model.column(t, pos or 0, width)

    def _runs(self, pairs, width: int, base: Style) -> Strip:
        """Characters with styles, merged into as few segments as possible."""
        segments = [Segment("".join(ch for ch, _ in group), base + Style.parse(style) if style else base)
                    for style, group in groupby(pairs, key=lambda p: p[1])]
        return Strip(segments).crop_extend(0, width, base)

    def render_line(self, y: int) -> Strip:
        full = self.size.width
        base = self.rich_style
        if self.model is None or y > 2:
            return Strip.blank(full, base)
        st = palette.styles(self.app)
        width = max(10, full - GUTTER)
        if y in (0, 2):
            key = (y, full, id(self.model), self.app.theme)
            strip = self._cache.get(key)
            if strip is None:
                strip = self._cache[key] = self._histogram(width, full, st, base) if y == 0 else self._axis(
                    width, full, st, base)
            return strip
        marks = [(" ", "")] * width
        for t in self.predicted:
            marks[self._column(t, width)] = ("◆", st["accent"])
        if self.diverged_at is not None:
            marks[self._column(self.diverged_at, width, self.diverged_pos)] = ("✖", st["error"])
        marks[self._column(self.t, width, self.pos)] = ("▲", st["label"])
        return self._runs([(" ", "")] * GUTTER + marks, full, base)

    def _histogram(self, width: int, full: int, st: dict, base: Style) -> Strip:
        hist = self.model.histogram(width)
        top = max((a for a, _ in hist), default=0) or 1
        pairs = [(ch, st["muted"]) for ch in "runs".ljust(GUTTER)]
        for starts, errors in hist:
            level = 0 if starts == 0 else max(1, round(starts / top * (len(BARS) - 1)))
            pairs.append((BARS[level], st["error"] if errors else st["primary"]))
        return self._runs(pairs, full, base)

    def _axis(self, width: int, full: int, st: dict, base: Style) -> Strip:
        left, right = "0 s", f"{self.model.end:g} s"
        if self.model.by_step:
            left, right = "step 1", f"step {len(self.model)}  (all at t = 0 s)"
        text = " " * GUTTER + left + " " * max(1, width - len(left) - len(right)) + right
        return Strip([Segment(text, base + Style.parse(st["muted"]))]).crop_extend(0, full, base)
