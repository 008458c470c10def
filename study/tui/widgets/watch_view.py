"""The Watch view: a trace played on a simulated clock. Space plays, arrows step, [ ] change speed, Home/End jump.

Ticks come from `set_interval(..., pause=True)`; each tick posts `Moved`, which `can_replace` an older `Moved`
still in the queue, so a slow frame makes the playback skip ahead instead of falling behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget

from study.playback import PlaybackModel, Player
from study.tui.widgets.env_timeline import EnvTimeline
from study.tui.widgets.event_log import EventLog
from study.tui.widgets.instances import Instances
from study.tui.widgets.lanes import Lanes
from study.tui.widgets.now_line import NowLine
from study.tui.widgets.playback_status import PlaybackStatus
from study.tui.widgets.retries import Retries
from study.tui.widgets.sinks import Sinks
from study.tui.widgets.timeline_bar import TimelineBar

FPS = 30


class WatchView(Widget, can_focus=True):
    DEFAULT_CSS = """
    WatchView { height: 1fr; width: 1fr; layout: vertical; }
    WatchView:focus { background-tint: $foreground 3%; }
    WatchView #watch-body { height: 1fr; layout: vertical; }
    WatchView #stage { height: auto; }
    WatchView #waiting { height: 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("space", "toggle", "Play/pause"),
        Binding("right", "step(1)", "Step", key_display="←/→"),
        Binding("left", "step(-1)", "Step back", key_display="←", show=False),
        Binding("right_square_bracket", "faster", "Faster", key_display="]"),
        Binding("left_square_bracket", "slower", "Slower", key_display="["),
        Binding("j", "run_detail", "Event/response JSON", show=False),
        Binding("home", "start", "Start", show=False),
        Binding("end", "end", "End", show=False),
        Binding("pagedown", "step(25)", "+25", show=False),
        Binding("pageup", "step(-25)", "-25", show=False),
    ]

    class Moved(Message):
        """The playhead moved; a newer Moved replaces an older one still queued."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, WatchView.Moved)

    def __init__(self, clock: Callable[[], float] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model: PlaybackModel | None = None
        self.player: Player | None = None
        self.playing = False
        self.label = ""
        self._clock = clock or time.monotonic
        self._last = 0.0
        self._timer = None
        self.frames = 0

    def compose(self) -> ComposeResult:
        yield PlaybackStatus()
        yield TimelineBar()
        yield EnvTimeline()
        with Horizontal(id="watch-body"):
            with Vertical(id="stage"):
                yield Lanes()
                yield Instances()
                yield Retries()
                yield Sinks()
                yield NowLine()
            yield EventLog()

    WIDE = 110  # columns from which the event log sits beside the lanes

    def on_mount(self) -> None:
        self._timer = self.set_interval(1 / FPS, self._tick, pause=True)

    def on_resize(self) -> None:
        self.set_class(self.size.width >= self.WIDE, "-wide")

    # -- the trace -------------------------------------------------------------------------------------------

    def set_model(self, model: PlaybackModel, label: str = "") -> None:
        """Play another trace (the lab's, or a what-if's) from its start."""
        self.pause()
        self.model = model
        self.player = Player(model)
        self.label = label
        model.seek(0)
        self.player.sync()
        self.query_one(TimelineBar).set_model(model)
        self.query_one(EnvTimeline).set_model(model)
        self.query_one(EventLog).set_entries(model.entries)
        self.query_one(Sinks).set_targets(model.sink_targets, model.trigger_type)
        self._redraw()

    # -- controls --------------------------------------------------------------------------------------------

    def play(self) -> None:
        if self.player is None:
            return
        if self.player.at_end:
            self.seek(0)
        self.playing = True
        self._last = self._clock()
        if self._timer is not None:
            self._timer.resume()
        self._redraw()

    def pause(self) -> None:
        self.playing = False
        if self._timer is not None:
            self._timer.pause()
        if self.model is not None:
            self._redraw()

    def seek(self, k: int) -> int:
        if self.model is None or self.player is None:
            return 0
        k = self.model.seek(k)
        self.player.sync()
        self._redraw()
        return k

    def step(self, delta: int) -> int:
        if self.model is None:
            return 0
        self.pause()
        return self.seek(self.model.pos + delta)

    def action_toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def action_step(self, delta: int) -> None:
        self.step(delta)

    def action_faster(self) -> None:
        if self.player is not None:
            self.player.faster()
            self._redraw()

    def action_slower(self) -> None:
        if self.player is not None:
            self.player.slower()
            self._redraw()

    def action_start(self) -> None:
        self.pause()
        self.seek(0)

    def action_end(self) -> None:
        self.pause()
        if self.model is not None:
            self.seek(len(self.model))

    def current_run(self) -> dict | None:
        """The run of the latest log line that names one (its start or end), at or before the playhead."""
        if self.model is None:
            return None
        if self.model.aggregated:
            return self.model.current_run()
        runs = self.model.trace.get("invocations") or []
        for i in range(self.model.pos - 1, -1, -1):
            e = self.model.entries[i]
            if e["kind"] in ("invoke_start", "invoke_end") and 0 < e.get("n", 0) <= len(runs):
                return runs[e["n"] - 1]
        return None

    def action_run_detail(self) -> None:
        run = self.current_run()
        if run is None:
            self.notify("No run yet at this point: step to a run's line, then j.")
            return
        from study.tui.screens.lab_dialogs import RunDetail

        self.app.push_screen(RunDetail(run))

    def set_rules(self, rules: dict[str, tuple[str, str]]) -> None:
        self.query_one(NowLine).set_rules(rules)

    def mark(self, predicted: list[float], diverged_at: float | None, diverged_index: int | None) -> None:
        self.query_one(TimelineBar).mark(predicted, diverged_at,
                                         diverged_index + 1 if diverged_index is not None else None)
        self.query_one(EventLog).mark(diverged_index)

    # -- playing ---------------------------------------------------------------------------------------------

    def _tick(self) -> None:
        if self.player is None:
            return
        now = self._clock()
        dt = min(0.5, max(0.0, now - self._last))  # a long stall skips ahead, never replays a backlog
        self._last = now
        if self.player.advance(dt):
            self.post_message(self.Moved())
        if self.player.at_end:
            self.playing = False
            self._timer.pause()
            self.post_message(self.Moved())

    def on_watch_view_moved(self, message: Moved) -> None:
        message.stop()
        self._redraw()

    def _log_pos(self, pos: int) -> int:
        """How many event-log lines are shown at position `pos` (an aggregated run logs a sample of its steps)."""
        return self.model.log_pos() if self.model.aggregated else pos

    def _ruled_entry(self, pos: int) -> dict | None:
        """The latest step that names a rule (a run's start and end name none: the step before explains them)."""
        entries = self.model.entries
        for i in range(pos - 1, max(-1, pos - 9), -1):
            if entries[i].get("rule"):
                return entries[i]
        return None

    def _redraw(self) -> None:
        if self.model is None or self.player is None:
            return
        self.frames += 1
        view = self.model.view()
        clock = self.player.clock
        self.query_one(PlaybackStatus).show(view, self.playing, self.player.speed, clock, self.label)
        self.query_one(TimelineBar).show(clock, view.pos)
        self.query_one(EnvTimeline).show(view.pos)
        self.query_one(Lanes).show(view)
        self.query_one(Instances).show(view)
        self.query_one(Retries).show(view, clock)
        self.query_one(Sinks).show(view)
        log_pos = self._log_pos(view.pos)
        self.query_one(NowLine).show(self._ruled_entry(log_pos))
        self.query_one(EventLog).show(log_pos)
