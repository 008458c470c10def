"""The queue, the shards or the FIFO groups: one lane each, records as chips coloured by state.
A lane whose records do not fit becomes a bar of counts per state."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from study import playback as pm
from study.tui import palette

LABEL = 12


class Lanes(Widget):
    DEFAULT_CSS = """
    Lanes { height: auto; width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = None

    def show(self, view) -> None:
        self.view = view
        self.refresh(layout=self._lines_needed() != getattr(self, "_last_lines", None))

    def _max_lanes(self) -> int:
        return max(2, (self.app.size.height - 16) // 2)

    def _lines_needed(self) -> int:
        if self.view is None:
            return 1
        n = len(self.view.lanes)
        cap = self._max_lanes()
        return min(n, cap) + (1 if n > cap else 0)

    def get_content_height(self, container, viewport, width: int) -> int:
        self._last_lines = self._lines_needed()
        return self._last_lines

    def render(self) -> Text:
        st = palette.styles(self.app)
        v = self.view
        out = Text(no_wrap=True, overflow="ellipsis")
        if v is None:
            return out
        width = max(10, self.size.width - LABEL)
        cap = self._max_lanes()
        lanes = v.lanes if len(v.lanes) <= cap else v.lanes[: cap - 1]
        for i, lane in enumerate(lanes):
            if i:
                out.append("\n")
            self._lane(out, lane.label, v.lane_members[i], v.lane_counts[i], v, width, st)
        if len(v.lanes) > len(lanes):
            rest = [0] * pm.N_STATES
            members: list[int] = []
            for i in range(len(lanes), len(v.lanes)):
                for s, c in enumerate(v.lane_counts[i]):
                    rest[s] += c
                members += v.lane_members[i]
            out.append("\n")
            self._bar(out, f"+{len(v.lanes) - len(lanes)} more", rest, width, st)
        return out

    def _lane(self, out: Text, label: str, members: list[int], counts: list[int], v, width: int, st: dict) -> None:
        # An aggregated run keeps counts only (no state per record): always the bar.
        shown = [i for i in members if v.states[i] != pm.UNSEEN] if v.states is not None and len(members) <= 64 \
            else None
        if shown is not None:
            need = sum(len(v.input_ids[i]) + 2 for i in shown)
            if need <= width:
                out.append(f"{label[:LABEL - 1]:<{LABEL}}", style=st["label"])
                for n, i in enumerate(shown):
                    text, style = palette.chip(v.input_ids[i], v.states[i], st)
                    if n:
                        out.append(" ")
                    out.append(text[1:], style=style)
                if not shown:
                    out.append("(empty)", style=st["muted"])
                return
        self._bar(out, label, counts, width, st)

    def _bar(self, out: Text, label: str, counts: list[int], width: int, st: dict) -> None:
        """Counts per state: a proportional bar, then the figures."""
        out.append(f"{label[:LABEL - 1]:<{LABEL}}", style=st["label"])
        total = sum(c for s, c in enumerate(counts) if s != pm.UNSEEN)
        parts = [(s, counts[s]) for s in palette.LEGEND_ORDER if counts[s]]
        words = "  ".join(f"{palette.SYMBOLS[s]}{c:,}" for s, c in parts)
        bar_w = max(4, width - len(words) - 2)
        if total:
            used = 0
            for s, c in parts:
                w = max(1, round(c / total * bar_w)) if c else 0
                w = min(w, bar_w - used)
                out.append(" " * w, style=st[s])
                used += w
            out.append(" " * (bar_w - used))
        else:
            out.append("(empty)".ljust(bar_w), style=st["muted"])
        out.append("  " + words, style=st["muted"])
