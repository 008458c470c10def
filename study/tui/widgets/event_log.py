"""The event log: the timeline entries up to the playhead, newest at the bottom, with the rule each shows.

Drawn with Textual's line API and a cache of finished lines, so a frame costs the visible lines that changed,
whatever the trace's length."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from study.playback import describe
from study.tui import palette


class EventLog(Widget):
    DEFAULT_CSS = """
    EventLog { height: 1fr; width: 1fr; border-top: solid $panel-lighten-2; }
    """

    HINT = "the event log follows the playback: Space plays, → steps"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entries: list[dict] = []
        self.pos = 0
        self.highlight: int | None = None
        self._lines: dict[tuple, Strip] = {}
        self._texts: dict[int, str] = {}
        self._styles: dict[tuple, Style] = {}

    def set_entries(self, entries: list[dict]) -> None:
        self.entries = entries
        self.pos = 0
        self._lines.clear()
        self._texts.clear()
        self.refresh()

    def show(self, pos: int) -> None:
        if pos != self.pos:
            self.pos = pos
            self.refresh()

    def mark(self, index: int | None) -> None:
        """Highlight one entry (the first divergence)."""
        self.highlight = index
        self._lines.clear()
        self.refresh()

    def _text(self, i: int) -> str:
        text = self._texts.get(i)
        if text is None:
            e = self.entries[i]
            text = self._texts[i] = f"{e['t']:>9.3f}  {describe(e)}"
        return text

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        height = self.size.height
        base = self.rich_style
        if not self.pos:
            if y == 0:
                return Strip([Segment(self.HINT[:width], base + Style(dim=True))]).extend_cell_length(width, base)
            return Strip.blank(width, base)
        start = max(0, self.pos - height)
        i = start + y
        if i >= self.pos:
            return Strip.blank(width, base)
        current = i == self.pos - 1
        key = (i, width, current, self.app.theme)
        strip = self._lines.get(key)
        if strip is None:
            if len(self._lines) > 4000:
                self._lines.clear()
            strip = self._lines[key] = self._build(i, width, current, base)
        return strip

    def _style(self, base: Style, role: str) -> Style:
        key = (base, role, self.app.theme)
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = base + Style.parse(palette.styles(self.app)[role])
        return style

    def _build(self, i: int, width: int, current: bool, base: Style) -> Strip:
        line = self._text(i)
        if i == self.highlight:
            line = "✖" + line[1:]
        rule = self.entries[i].get("rule") or ""
        style, rule_style = base, self._style(base, "muted")
        if i == self.highlight:
            style = rule_style = self._style(base, "error")
        if current:
            style = rule_style = self._style(base, "cursor")
        if rule and len(line) + len(rule) + 3 < width:
            gap = width - len(line) - len(rule) - 1
            segments = [Segment(line + " " * gap, style), Segment(rule, rule_style), Segment(" ", style)]
        else:
            line = line[:width]
            segments = [Segment(line + " " * (width - len(line)), style)]
        strip = Strip(segments)
        # The log's text is narrow characters; check anyway, and fix up the rare line that is not.
        return strip if strip.cell_length == width else strip.crop_extend(0, width, base)
