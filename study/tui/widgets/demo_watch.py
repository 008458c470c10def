"""The Watch view as the presenter drives it: it plays to a target position (the next stop) and freezes there,
with a big scoreboard on top. The presenter's keys belong to the demo screen, so this view takes no focus."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.message import Message

from study.tui.widgets.demo_scoreboard import DemoScoreboard
from study.tui.widgets.watch_view import WatchView


class DemoWatch(WatchView, can_focus=False, inherit_bindings=False):
    BINDINGS = []

    class Arrived(Message):
        """The playback reached the position it was sent to and froze."""

        def __init__(self, pos: int) -> None:
            super().__init__()
            self.pos = pos

    def __init__(self, clock=None, **kwargs) -> None:
        super().__init__(clock=clock, **kwargs)
        self.target: int | None = None

    def compose(self) -> ComposeResult:
        yield DemoScoreboard()
        yield from super().compose()

    def play_to(self, target: int, animate: bool) -> None:
        """Play until `target` timeline entries have been applied, then post Arrived. Without animation, or when
        the target lies behind the playhead (a script may jump back), go there at once."""
        if self.model is None:
            return
        target = max(0, min(len(self.model), target))
        self.target = target
        if not animate or target <= self.model.pos:
            self.finish_now()
            return
        self.play()

    def finish_now(self) -> None:
        """Skip the rest of the way to the target (the presenter pressed the key again)."""
        if self.target is None:
            return
        self.pause()
        self.seek(self.target)
        self._arrive()

    def hold_clock(self, t: float) -> None:
        """Show the clock at `t` (a stop's time) rather than at the last applied entry's time."""
        if self.player is not None:
            self.player.clock = t
            self._redraw()

    def cancel(self) -> None:
        self.target = None
        self.pause()

    def _arrive(self) -> None:
        self.target = None
        self.post_message(self.Arrived(self.model.pos if self.model is not None else 0))

    def _tick(self) -> None:
        super()._tick()
        if self.target is not None and self.model is not None and self.model.pos >= self.target:
            # A tick may apply a few entries at once: never show anything past the stop.
            if self.model.pos > self.target:
                self.seek(self.target)
            self.pause()
            self._arrive()

    def _redraw(self) -> None:
        super()._redraw()
        if self.model is None or self.player is None:
            return
        view = self.model.view()
        self.query_one(DemoScoreboard).show(self.player.clock, view.invocations, view.errors, view.pos, view.total,
                                            self.player.speed, self.playing)
