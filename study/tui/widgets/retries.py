"""What is waiting to be retried, with a countdown on the simulated clock, and the latest batch split."""

from __future__ import annotations

import heapq

from rich.text import Text
from textual.widget import Widget

from study.tui import palette

LABEL = 12


class Retries(Widget):
    DEFAULT_CSS = """
    Retries { height: 1; width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = None
        self.clock = 0.0

    def show(self, view, clock: float) -> None:
        self.view = view
        self.clock = clock
        self.refresh()

    def render(self) -> Text:
        st = palette.styles(self.app)
        v = self.view
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(f"{'retries':<{LABEL}}", style=st["label"])
        if v is None:
            return out
        if v.last_bisect is not None and v.pos - v.last_bisect[0] <= 8:
            _, whole, left, right = v.last_bisect
            out.append(f" ✂ [{' '.join(whole)}] → [{' '.join(left)}] + [{' '.join(right)}] ", style=st["accent"])
            out.append(" ")
        if v.aggregated and v.waiting_retries:
            out.append(f" ↻ {v.waiting_retries:,} waiting for a retry ", style=st["warning"])
            return out
        if not v.retries:
            out.append("none waiting", style=st["muted"])
            return out
        soonest = heapq.nsmallest(4, v.retries.items(), key=lambda kv: (kv[1][0] is None, kv[1][0] or 0.0, kv[0]))
        for _key, (due, attempt, ids, why) in soonest:
            who = " ".join(ids[:3]) + ("…" if len(ids) > 3 else "")
            if due is None:
                when = "next"
            else:
                left = max(0.0, due - self.clock)
                when = f"in {left:,.1f} s"
            att = f" #{attempt}" if attempt else ""
            sym = "‖" if why == "throttled" else "↻"
            out.append(f" {sym} {who}{att} {when} ", style=st["warning"])
        if len(v.retries) > len(soonest):
            out.append(f" +{len(v.retries) - len(soonest):,} more", style=st["muted"])
        return out
