"""The chapter as a map: the 20 sections as tiles in one widget (one node, so the first screen is quick);
each tile shows its labs, its questions and, once there is any, progress. Arrows move, Enter or a click opens."""

from __future__ import annotations

import textwrap

from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from study.tui import palette

TILE_H = 3  # lines per tile; one blank line between rows
GUTTER = 1  # columns between tiles


class SectionMap(Widget, can_focus=True):
    DEFAULT_CSS = """
    SectionMap { height: auto; width: 1fr; }
    """

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("enter", "choose", "Learn", show=False),
    ]

    cursor = reactive(0)

    class Chosen(Message):
        """A section was picked (Enter or a click)."""

        def __init__(self, section: str) -> None:
            super().__init__()
            self.section = section

    def __init__(self, sections: list[str], titles: dict[str, str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.sections = sections
        self.titles = titles
        self.labs: dict[str, int] = {}
        self.questions: dict[str, int] = {}
        self.progress: dict[str, float] = {}
        self.code: dict[str, tuple[int, int]] = {}  # section -> (challenges solved, challenges)

    @property
    def section(self) -> str:
        return self.sections[self.cursor]

    @property
    def columns(self) -> int:
        return 5 if self.size.width >= 110 else 4

    def set_counts(self, labs: dict[str, int], questions: dict[str, int], progress: dict[str, float],
                   code: dict[str, tuple[int, int]] | None = None) -> None:
        self.labs, self.questions, self.progress = labs, questions, progress
        self.code = code or {}
        self.refresh()

    def get_content_height(self, container, viewport, width: int) -> int:
        cols = 5 if width >= 110 else 4
        rows = -(-len(self.sections) // cols)
        return rows * (TILE_H + 1) - 1

    def _tile_width(self) -> int:
        cols = self.columns
        return max(8, (self.size.width - GUTTER * (cols - 1)) // cols)

    def _tile_lines(self, section: str, width: int, st: dict) -> list[Text]:
        inner = width - 2
        title = self.titles.get(section, "")
        lines = textwrap.wrap(f"{section} {title}", width=inner) or [section]
        if len(lines) > 2:
            lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width=inner, placeholder="…")]
        lines += [""] * (2 - len(lines))
        first = Text(" ")
        first.append(section, style=st["accent"])
        first.append(lines[0][len(section):], style=st["label"])
        second = Text(" " + lines[1], style=st["label"])
        info = []
        labs, qs = self.labs.get(section, 0), self.questions.get(section, 0)
        if labs:
            info.append(f"{labs} lab{'s' if labs != 1 else ''}")
        if qs:
            info.append(f"{qs} q")
        solved, n = self.code.get(section, (0, 0))
        if n:
            info.append(f"code {solved}/{n}" if solved else f"{n} code")
        words = " · ".join(info) if info else "lesson"
        third = Text(" " + words, style=st["muted"])
        done = self.progress.get(section)
        if done is not None:
            bar_w = max(3, inner - len(words) - 6)
            filled = round(done * bar_w)
            third.append(" " + "█" * filled, style=st["success"])
            third.append("░" * (bar_w - filled) + f" {done:.0%}", style=st["muted"])
        return [first, second, third]

    def render(self) -> Text:
        st = palette.styles(self.app)
        cols = self.columns
        width = self._tile_width()
        tile_bg = {True: f"on {st['primary']}", False: "on " + _panel(self.app)}
        out = Text(no_wrap=True, overflow="crop")
        for row_start in range(0, len(self.sections), cols):
            row = self.sections[row_start:row_start + cols]
            tiles = [self._tile_lines(s, width, st) for s in row]
            if row_start:
                out.append("\n\n")
            for line in range(TILE_H):
                if line:
                    out.append("\n")
                for j in range(len(row)):
                    if j:
                        out.append(" " * GUTTER)
                    cell = tiles[j][line]
                    cell.truncate(width, overflow="ellipsis", pad=True)
                    cell.stylize(tile_bg[row_start + j == self.cursor and self.has_focus])
                    if row_start + j == self.cursor and not self.has_focus:
                        cell.stylize("underline" if line == 0 else "")
                    out.append_text(cell)
        return out

    def watch_cursor(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_move(self, rows: int, cols: int) -> None:
        j = self.cursor + rows * self.columns + cols
        if 0 <= j < len(self.sections):
            self.cursor = j
            row = j // self.columns
            self.scroll_to_region_visible(row)

    def scroll_to_region_visible(self, row: int) -> None:
        from textual.geometry import Region

        self.scroll_to_region(Region(0, row * (TILE_H + 1), self.size.width, TILE_H), animate=False)

    def action_choose(self) -> None:
        self.post_message(self.Chosen(self.section))

    def on_click(self, event: Click) -> None:
        width = self._tile_width()
        col = event.x // (width + GUTTER)
        row = event.y // (TILE_H + 1)
        j = row * self.columns + col
        if 0 <= col < self.columns and 0 <= j < len(self.sections) and event.y % (TILE_H + 1) < TILE_H:
            self.cursor = j
            self.focus()
            self.post_message(self.Chosen(self.section))


def _panel(app) -> str:
    value = app.get_css_variables().get("panel", "#242f38")
    return value[:7] if value.startswith("#") else "#242f38"
