"""The grid of rule mastery: one cell per rule, a row per section, coloured by how likely you are to recall it now;
arrows move over the cells and the line below names the rule, its state and when it is due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget

from study.tui import palette

BUCKETS = ((0.95, "◆", "success"), (0.8, "■", "success"), (0.5, "■", "warning"), (0.0, "■", "error"))


def cell_for(state) -> tuple[str, str]:
    """Symbol and palette role for a rule's memory state (readable without colour: · new, ■ met, ◆ solid)."""
    if state.state == "new":
        return "·", "muted"
    for floor, symbol, role in BUCKETS:
        if state.retrievability >= floor:
            return symbol, role
    return "■", "error"


class StatsGrid(Widget, can_focus=True):
    DEFAULT_CSS = """
    StatsGrid { height: auto; padding: 0 1; }
    StatsGrid:focus { background-tint: $foreground 3%; }
    """
    BINDINGS = [
        Binding("left", "move(0, -1)", "", show=False),
        Binding("right", "move(0, 1)", "", show=False),
        Binding("up", "move(-1, 0)", "", show=False),
        Binding("down", "move(1, 0)", "", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[tuple[str, list]] = []  # (section, [RuleState])
        self.row = 0
        self.col = 0
        self.now: datetime | None = None

    def show(self, states: Sequence, now: datetime | None = None) -> None:
        """`states`: study.learning.store.RuleState in rules.yaml order."""
        grouped: dict[str, list] = {}
        for s in states:
            grouped.setdefault(s.section, []).append(s)
        key = lambda sec: tuple(int(p) if p.isdigit() else 0 for p in sec.split("."))  # noqa: E731
        self.rows = [(sec, grouped[sec]) for sec in sorted(grouped, key=key)]
        self.now = now
        self.row = min(self.row, max(0, len(self.rows) - 1))
        self.col = 0
        self.refresh(layout=True)

    @property
    def selected(self):
        if not self.rows:
            return None
        cells = self.rows[self.row][1]
        return cells[min(self.col, len(cells) - 1)] if cells else None

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.rows) + 3

    def render(self) -> Text:
        st = palette.styles(self.app)
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self.rows:
            text.append("No rules.", style=st["muted"])
            return text
        text.append("· new  ", style=st["muted"])
        text.append("■ <50%  ", style=st["error"])
        text.append("■ 50–80%  ", style=st["warning"])
        text.append("■ ≥80%  ", style=st["success"])
        text.append("◆ ≥95% recall now\n", style=st["success"])
        # The rule under the cursor, above the grid so it stays in view at 24 rows.
        sel = self.selected
        if sel is not None:
            text.append(f"{sel.rule_id}", style=st["accent"])
            text.append(f" {sel.title}\n", style=st["label"])
            if sel.state == "new":
                text.append("never practised\n", style=st["muted"])
            else:
                due = sel.due.astimezone().strftime("%Y-%m-%d %H:%M") if sel.due else "?"
                text.append(f"{sel.state} · recall now {sel.retrievability:.0%} · {sel.reps} reviews · due {due}\n",
                            style=st["muted"])
        for r, (section, states) in enumerate(self.rows):
            text.append(f"{section:<6}", style=st["accent"])
            for c, s in enumerate(states):
                symbol, role = cell_for(s)
                style = st["cursor"] if (r == self.row and c == self.col and self.has_focus) else st[role]
                text.append(symbol, style=style)
                text.append(" ")
            text.append("\n")
        text.rstrip()
        return text

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_move(self, rows: int, cols: int) -> None:
        if not self.rows:
            return
        self.row = min(max(self.row + rows, 0), len(self.rows) - 1)
        width = len(self.rows[self.row][1])
        self.col = min(max(self.col + cols, 0), max(0, width - 1))
        self.refresh()
