"""The rule behind the step just shown, in the chapter's words, so watching explains as it goes."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from study.tui import palette


class NowLine(Widget):
    DEFAULT_CSS = """
    NowLine { height: auto; width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rules: dict[str, tuple[str, str]] = {}
        self.entry: dict | None = None
        self._heights: dict[tuple, int] = {}  # (rule, width) -> lines, as measured by the last layout

    def set_rules(self, rules: dict[str, tuple[str, str]]) -> None:
        self.rules = rules
        self.refresh()

    def show(self, entry: dict | None) -> None:
        if entry is self.entry:
            return
        old = (self.entry or {}).get("rule")
        self.entry = entry
        rid = (entry or {}).get("rule")
        if rid == old:
            return  # the same rule: the same text
        # The rule wraps onto as many lines as it needs: a new layout, unless this rule's height at this width is
        # known to be the height shown (a layout of the whole screen costs more than a frame's budget).
        known = self._heights.get((rid, self.size.width))
        self.refresh(layout=known is None or known != self.size.height)

    def get_content_height(self, container, viewport, width: int) -> int:
        height = super().get_content_height(container, viewport, width)
        self._heights[((self.entry or {}).get("rule"), width)] = height
        return height

    def render(self):
        st = palette.styles(self.app)
        out = Text()  # wraps under its label: the rule is read in full, at any width
        rid = (self.entry or {}).get("rule")
        if not rid:
            out.append("step through to see the rule behind each step", style=st["muted"])
            return labelled("why", out, st)
        statement, section = self.rules.get(rid, ("", ""))
        if statement:
            out.append(statement)
            out.append(f"  [{rid} §{section}]", style=st["muted"])
        else:
            out.append(rid, style=st["muted"])
        return labelled("why", out, st)


def labelled(label: str, text: Text, st: dict, width: int = 12):
    """A label column and text that wraps beside it (not back under the label)."""
    from rich.table import Table

    grid = Table.grid(expand=True)
    grid.add_column(width=width, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(label, style=st["label"]), text)
    return grid
