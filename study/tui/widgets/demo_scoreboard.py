"""The presenter's scoreboard: the simulated clock, runs and errors in big digits a room can read."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Digits, Static


def seconds_text(t: float) -> str:
    """65.0 -> '65', 0.25 -> '0.25': as few digits as the time needs, so the big clock stays short."""
    return f"{t:.3f}".rstrip("0").rstrip(".")


class DemoScoreboard(Widget):
    DEFAULT_CSS = """
    DemoScoreboard { height: 5; width: 1fr; layout: horizontal; background: $background; }
    DemoScoreboard > Vertical { width: auto; min-width: 14; height: 5; padding: 0 2; border-right: heavy $foreground 30%; }
    DemoScoreboard > Vertical#board-clock { min-width: 26; }
    DemoScoreboard .board-label { height: 1; color: $foreground; text-style: bold; }
    DemoScoreboard Digits { width: auto; color: $foreground; text-style: bold; }
    DemoScoreboard #board-errors-value.-some { color: $error; }
    DemoScoreboard #board-step { width: 1fr; height: 5; padding: 1 2; color: $foreground; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(id="board-clock"):
            yield Static("simulated time (s)", classes="board-label")
            yield Digits("0", id="board-clock-value")
        with Vertical(id="board-runs"):
            yield Static("runs", classes="board-label")
            yield Digits("0", id="board-runs-value")
        with Vertical(id="board-errors"):
            yield Static("errors", classes="board-label")
            yield Digits("0", id="board-errors-value")
        yield Static("", id="board-step")

    def show(self, clock: float, runs: int, errors: int, pos: int, total: int, speed: float, playing: bool) -> None:
        self.query_one("#board-clock-value", Digits).update(seconds_text(clock))
        self.query_one("#board-runs-value", Digits).update(str(runs))
        err = self.query_one("#board-errors-value", Digits)
        err.update(str(errors))
        err.set_class(errors > 0, "-some")
        state = "▶ playing" if playing else "‖ frozen"
        self.query_one("#board-step", Static).update(f"[b]{state}[/]\nevent {pos} of {total} · speed ×{speed:g}")
