"""The simulated clock and the player's state: time, speed, position, running totals."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from study import playback as pm
from study.tui import palette


def clock_text(t: float) -> str:
    whole = int(t)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{t:.3f} s ({h:02d}:{m:02d}:{s:02d})"


class PlaybackStatus(Widget):
    DEFAULT_CSS = """
    PlaybackStatus { height: 1; width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = None
        self.playing = False
        self.speed = 1.0
        self.label = ""
        self.clock = 0.0

    def show(self, view, playing: bool, speed: float, clock: float, label: str = "") -> None:
        self.view = view
        self.playing = playing
        self.speed = speed
        self.clock = clock
        self.label = label
        self.refresh()

    def render(self) -> Text:
        st = palette.styles(self.app)
        text = Text(no_wrap=True, overflow="ellipsis")
        v = self.view
        if v is None:
            return Text("running the emulator…", style=st["muted"])
        text.append(" ▶ " if self.playing else " ‖ ", style=st["cursor"])
        text.append(f" t = {clock_text(self.clock)} ", style=st["label"])
        text.append(f" ×{self.speed:g} ", style=st["accent"])
        text.append(f" step {v.pos}/{v.total} ", style=st["muted"])
        text.append(f" runs {v.invocations}", style=st["label"])
        text.append(f" · errors {v.errors}", style=st["error"] if v.errors else st["muted"])
        text.append(f" · throttles {v.throttles}", style=st["warning"] if v.throttles else st["muted"])
        text.append(f" · cold {v.cold_starts}", style=st["muted"])
        if v.pollers:
            text.append(f" · pollers {v.pollers}", style=st["muted"])
        if v.aggregated:  # counts over time: the backlog and how many run now
            backlog = sum(c[pm.WAITING] for c in v.lane_counts)
            text.append(f" · running {v.running:,} · backlog {backlog:,}", style=st["label"])
        if self.label:
            text.append(f"  {self.label}", style=st["accent"])
        return text
