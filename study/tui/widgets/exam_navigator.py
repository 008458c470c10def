"""The exam's navigator: every question as a numbered cell, marked answered, flagged or current; a click goes there."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.events import Click
from textual.message import Message
from textual.widget import Widget

from study.tui import palette

CELL = 5  # " 12● " : number, mark and a gap


class ExamNavigator(Widget):
    DEFAULT_CSS = """
    ExamNavigator { height: auto; padding: 0 1; }
    """

    class Goto(Message):
        def __init__(self, idx: int) -> None:
            super().__init__()
            self.idx = idx

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entries: Sequence = ()

    def show(self, entries: Sequence) -> None:
        """`entries` are study.learning.exam.NavEntry (idx, answered, flagged, current)."""
        self.entries = list(entries)
        self.refresh(layout=True)

    def _per_line(self) -> int:
        return max(1, (self.content_size.width or 78) // CELL)

    def get_content_height(self, container, viewport, width: int) -> int:
        per = max(1, width // CELL)
        return max(1, -(-len(self.entries) // per))

    def render(self) -> Text:
        st = palette.styles(self.app)
        text = Text(no_wrap=True)
        per = self._per_line()
        for n, e in enumerate(self.entries):
            if n and n % per == 0:
                text.append("\n")
            mark = "⚑" if e.flagged else ("●" if e.answered else "·")
            cell = f"{e.idx + 1:>3}{mark} "
            if e.current:
                style = st["cursor"]
            elif e.flagged:
                style = st["warning"]
            elif e.answered:
                style = st["success"]
            else:
                style = st["muted"]
            text.append(cell, style=style)
        return text

    def on_click(self, event: Click) -> None:
        per = self._per_line()
        col = event.x - 1  # the left padding
        if col < 0:
            return
        idx = event.y * per + col // CELL
        if 0 <= idx < len(self.entries):
            self.post_message(self.Goto(self.entries[idx].idx))
