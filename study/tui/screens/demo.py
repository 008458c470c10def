"""Instructor mode (`study demo [PLAYLIST]`): a playlist of labs played for a room in a big, high-contrast layout,
frozen at scripted stops for a full-screen A-D prediction card, with a what-if on one key and hideable notes."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from study.demo import ItemRun, Variant, outcome_rows, prepare_item, prepare_variant
from study.tui.screens.demo_card import CardScreen
from study.tui.screens.demo_help import WHATIF_KEYS, DemoHelpScreen, whatif_key
from study.tui.widgets.demo_compare import DemoCompare
from study.tui.widgets.demo_scoreboard import seconds_text
from study.tui.widgets.demo_watch import DemoWatch
from study.tui.widgets.setup_diagram import SetupDiagram


class DemoScreen(Screen):
    """One playlist, lab after lab. Space goes to the next stop (and shows its card), Backspace back to the previous one."""

    DEFAULT_CSS = """
    DemoScreen { background: $background; color: $foreground; }
    DemoScreen #demo-title { height: auto; padding: 0 1; background: $foreground; color: $background;
                             text-style: bold; }
    DemoScreen #demo-bar { height: auto; min-height: 1; padding: 0 1; background: $primary; color: $text;
                           text-style: bold; }
    DemoScreen #demo-bar.-stop { background: $warning; color: $background; }
    DemoScreen #demo-bar.-end { background: $success; color: $background; }
    DemoScreen #demo-banner { height: 1; padding: 0 1; background: $secondary; color: $text; text-style: bold;
                              display: none; }
    DemoScreen.-whatif #demo-banner { display: block; }
    DemoScreen #demo-body { height: 1fr; }
    DemoScreen #demo-main { width: 1fr; height: 1fr; }
    DemoScreen #demo-setup { height: auto; max-height: 14; border-bottom: heavy $foreground 30%; }
    DemoScreen #demo-compare { display: none; }
    DemoScreen.-whatif #demo-compare { display: block; }
    DemoScreen #demo-notes { width: 46; height: 1fr; border-left: heavy $warning; padding: 0 1; display: none; }
    DemoScreen.-notes #demo-notes { display: block; }
    DemoScreen #demo-notes-text { height: auto; }
    DemoScreen DemoWatch { height: 1fr; }
    /* The run's shape (runs over time, its end) would give the answers away before the cards: shown at the end. */
    DemoScreen DemoWatch TimelineBar { display: none; }
    DemoScreen.-finished DemoWatch TimelineBar { display: block; }
    """

    BINDINGS = [
        # The same keys as a lab's Watch: ←/→ step one event, [ ] slower/faster; stops and labs have their own.
        Binding("space,pagedown", "advance", "Next stop", key_display="space"),
        Binding("backspace,pageup", "rewind", "Previous stop", key_display="⌫"),
        Binding("c", "card", "Card again"),
        Binding("w", "whatif", "What-if", show=False),
        *[Binding(k, f"whatif_key('{k}')", "What-if") for k in WHATIF_KEYS],
        Binding("n", "notes", "Notes"),
        Binding("s", "setup", "Setup", show=False),
        Binding("right,period", "step(1)", "Step", show=False, key_display="→"),
        Binding("left,comma", "step(-1)", "Step back", show=False, key_display="←"),
        Binding("right_square_bracket,plus,equals_sign", "speed(1)", "Faster", show=False, key_display="]"),
        Binding("left_square_bracket,minus", "speed(-1)", "Slower", show=False, key_display="["),
        Binding("greater_than_sign", "lab(1)", "Next lab", key_display=">"),
        Binding("less_than_sign", "lab(-1)", "Previous lab", key_display="<"),
        Binding("home", "start", "Lab start", show=False),
        Binding("end", "finish", "Finish lab"),
        Binding("escape", "leave", "Leave"),
        Binding("question_mark", "demo_help", "Help", key_display="?"),
    ]

    class ItemReady(Message):
        def __init__(self, index: int, run: ItemRun | None, error: str | None = None) -> None:
            super().__init__()
            self.index = index
            self.run = run
            self.error = error

    class VariantReady(Message):
        def __init__(self, index: int, variant: Variant) -> None:
            super().__init__()
            self.index = index
            self.variant = variant

    def __init__(self, playlist, clock=None, animate: bool | None = None, notes: bool = False) -> None:
        super().__init__()
        self.playlist = playlist
        self.clock = clock
        self.animated = animate  # None: follow the app's animation level
        self.index = 0
        self.runs: dict[int, ItemRun] = {}
        self.stop = -1  # the last stop reached in this lab; -1 before the first
        self.heading: int | None = None  # the stop being played to
        self.finished = False
        self.showing_whatif = False
        self.whatif_pending = False
        self.card_open = False
        self.notes_visible = notes
        self.title = playlist.title

    # -- layout --------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="demo-title", markup=False)
        yield Static("", id="demo-bar")
        yield Static("", id="demo-banner", markup=False)
        with Horizontal(id="demo-body"):
            with Vertical(id="demo-main"):
                yield SetupDiagram(id="demo-setup")
                yield DemoCompare(id="demo-compare")
                yield DemoWatch(clock=self.clock, id="demo-watch")
            with VerticalScroll(id="demo-notes", can_focus=False):
                yield Static("", id="demo-notes-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.set_class(self.notes_visible, "-notes")
        for why in self.playlist.skipped:
            self.notify(why, title="A lab of this playlist is skipped", severity="warning", timeout=20, markup=False)
        self.open_item(0)

    @property
    def item(self):
        return self.playlist.items[self.index]

    @property
    def run(self) -> ItemRun | None:
        return self.runs.get(self.index)

    @property
    def player_view(self) -> DemoWatch:
        return self.query_one(DemoWatch)

    def _animates(self) -> bool:
        if self.animated is not None:
            return self.animated
        return self.app.animation_level != "none"

    # -- loading a lab (worker) ----------------------------------------------------------------------------

    def open_item(self, index: int) -> None:
        self.index = index
        self.stop, self.heading, self.finished = -1, None, False
        self.showing_whatif = self.whatif_pending = False
        self.remove_class("-whatif", "-finished")
        self.player_view.cancel()
        item = self.item
        n = len(self.playlist.items)
        self.query_one("#demo-title", Static).update(f"{self.playlist.title}   ·   lab {index + 1} of {n}: {item.lab}")
        self.query_one("#demo-notes-text", Static).update(
            f"PRESENTER NOTES (n hides)\n\n{item.notes.strip() or 'No notes for this lab.'}")
        setup = self.query_one("#demo-setup", SetupDiagram)
        setup.display = True
        if index in self.runs:
            self._show_run()
        else:
            self.player_view.display = False
            setup.show(None)
            self._bar("running the emulator…")
            self.load_item(index)
        self.refresh_bindings()

    @work(thread=True, group="demo-load")
    def load_item(self, index: int) -> None:
        from study.sim.errors import ScenarioError
        from study.sim.expect import PathError

        item = self.playlist.items[index]
        try:
            run = prepare_item(item)
        except (ScenarioError, PathError) as err:  # a lab changed since `study check` passed
            self.post_message(self.ItemReady(index, None, str(err)))
            return
        self.post_message(self.ItemReady(index, run))
        if item.whatif is not None:
            self.post_message(self.VariantReady(index, prepare_variant(item)))

    def on_demo_screen_item_ready(self, message: ItemReady) -> None:
        if message.run is None:
            self._bar(f"This lab cannot be played: {message.error}   ·   ]: next lab", style="-end")
            self.notify(message.error or "", title="Cannot open the lab", severity="error", timeout=8)
            return
        self.runs[message.index] = message.run
        if message.index == self.index:
            self._show_run()

    def on_demo_screen_variant_ready(self, message: VariantReady) -> None:
        run = self.runs.get(message.index)
        if run is None:
            return
        run.variant = message.variant
        if message.index == self.index and self.whatif_pending:
            self.whatif_pending = False
            self.action_whatif()

    def _show_run(self) -> None:
        run = self.run
        self.title = run.lab.title
        self.sub_title = self.playlist.title
        self.query_one("#demo-title", Static).update(
            f"{self.playlist.title}   ·   lab {self.index + 1} of {len(self.playlist.items)}: {run.lab.title}")
        self.query_one("#demo-setup", SetupDiagram).show(run.setup)
        watch = self.player_view
        if run.model is None:
            watch.display = False
            self._bar(f"AWS refuses this configuration, so nothing runs: {run.error}   ·   ]: next lab", "-end")
            return
        watch.display = True
        watch.set_model(run.model)
        self._update_bar()

    # -- where the presenter is ----------------------------------------------------------------------------

    def _model(self):
        run = self.run
        if run is None:
            return None
        if self.showing_whatif and run.variant is not None and run.variant.model is not None:
            return run.variant.model
        return run.model

    def _positions(self) -> list[int]:
        run = self.run
        if self.showing_whatif and run.variant is not None and run.variant.model is not None:
            return run.variant.positions
        return run.positions

    def _bar(self, text: str, style: str = "") -> None:
        bar = self.query_one("#demo-bar", Static)
        bar.update(text)
        bar.set_class(style == "-stop", "-stop")
        bar.set_class(style == "-end", "-end")

    def _whatif_hint(self) -> str:
        w = self.item.whatif
        if w is None:
            return ""
        if self.showing_whatif:
            return f"  ·  {whatif_key(w)}: back to the lab as written"
        return f"  ·  {whatif_key(w)}: what-if {w.label}"

    def _update_bar(self) -> None:
        run = self.run
        if run is None or run.model is None:
            return
        stops = len(self.item.stops)
        last_lab = self.index + 1 >= len(self.playlist.items)
        hint = self._whatif_hint()
        if self.heading is not None:
            self._bar(f"▶ playing to stop {self.heading + 1} of {stops}  ·  space: jump there{hint}")
        elif self.finished:
            after = "Esc: leave (end of the playlist)" if last_lab else "space: next lab"
            self._bar(f"END OF THE LAB  ·  {after}  ·  ⌫: back to the last stop{hint}", "-end")
        elif self.stop < 0:
            self._bar(f"Read the setup with the room  ·  space: play to stop 1 of {stops}{hint}")
        else:
            nxt = "space: next stop" if self.stop + 1 < stops else "space: play to the end"
            at = seconds_text(self.player_view.player.clock) if self.player_view.player is not None else "0"
            self._bar(f"STOP {self.stop + 1} of {stops} at t = {at} s  ·  c: card  ·  {nxt}  ·  ⌫: back{hint}",
                      "-stop")
        self.query_one("#demo-setup").display = self.stop < 0 and self.heading is None and not self.showing_whatif
        self.set_class(self.finished, "-finished")

    def _go(self, pos: int, animate: bool = False) -> None:
        self.player_view.play_to(pos, animate)

    # -- keys ----------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "whatif_key":
            w = self.item.whatif if self.playlist.items else None
            return w is not None and parameters[0] == whatif_key(w)
        return True

    def action_advance(self) -> None:
        run = self.run
        if run is None or run.model is None or self.card_open:
            return
        if self.heading is not None or self.player_view.target is not None:
            self.player_view.finish_now()
            return
        if self.finished:
            if self.index + 1 < len(self.playlist.items):
                self.open_item(self.index + 1)
            else:
                self.notify("That was the last lab of the playlist. Esc leaves.", title="End of the playlist")
            return
        nxt = self.stop + 1
        if nxt < len(self.item.stops):
            self.heading = nxt
            self._update_bar()
            self._go(self._positions()[nxt], self._animates())
        else:
            self.heading = len(self.item.stops)  # the end of the run, past the last stop
            self._bar(f"▶ playing to the end  ·  space: jump there{self._whatif_hint()}")
            self._go(len(self._model()), self._animates())

    def on_demo_watch_arrived(self, message: DemoWatch.Arrived) -> None:
        heading, self.heading = self.heading, None
        if heading is None:
            return
        if heading >= len(self.item.stops):
            self.finished = True
            self._update_bar()
            return
        self.stop = heading
        self._hold_stop_clock()
        self._update_bar()
        self.action_card()

    def _hold_stop_clock(self) -> None:
        stop = self.item.stops[self.stop]
        if stop.at is not None:
            self.player_view.hold_clock(float(stop.at))

    def action_card(self) -> None:
        run = self.run
        if run is None or self.stop < 0 or self.card_open:
            if self.stop < 0:
                self.notify("No stop reached yet: space plays to the first one.")
            return
        n = len(self.item.stops)
        where = f"Stop {self.stop + 1} of {n} · {run.lab.title} · {self.playlist.title}"
        self.card_open = True
        self.app.push_screen(self.card_screen(run.cards[self.stop], run.whys[self.stop], where), self._card_closed)

    def card_screen(self, card, whys: list[str], where: str) -> CardScreen:
        """The card shown at a stop (the live classroom puts the room's answers on it)."""
        return CardScreen(card, whys, where)

    def _card_closed(self, _result=None) -> None:
        self.card_open = False

    def action_rewind(self) -> None:
        run = self.run
        if run is None or run.model is None:
            return
        self.player_view.cancel()
        self.heading = None
        positions = self._positions()
        pos = self._model().pos
        if self.finished:
            self.finished = False
            self.stop = len(positions) - 1
        elif self.stop >= 0 and pos == positions[self.stop]:
            self.stop -= 1
        # else: between stops (stepped), back to the last stop reached
        self._go(positions[self.stop] if self.stop >= 0 else 0)
        if self.stop >= 0:
            self._hold_stop_clock()
        self._update_bar()

    def action_start(self) -> None:
        if self.run is None or self.run.model is None:
            return
        self.player_view.cancel()
        self.stop, self.heading, self.finished = -1, None, False
        self._go(0)
        self._update_bar()

    def action_finish(self) -> None:
        model = self._model()
        if model is None:
            return
        self.player_view.cancel()
        self.heading = None
        self._go(len(model))
        self.stop = len(self.item.stops) - 1
        self.finished = True
        self._update_bar()

    def action_step(self, delta: int) -> None:
        model = self._model()
        if model is None:
            return
        self.player_view.cancel()
        self.heading = None
        self.player_view.step(delta)
        self.finished = model.pos >= len(model)
        self._update_bar()

    def action_speed(self, delta: int) -> None:
        if delta > 0:
            self.player_view.action_faster()
        else:
            self.player_view.action_slower()

    def action_lab(self, delta: int) -> None:
        index = self.index + delta
        if 0 <= index < len(self.playlist.items):
            self.open_item(index)
        else:
            self.notify("No lab that way in this playlist.")

    def action_notes(self) -> None:
        self.notes_visible = not self.notes_visible
        self.set_class(self.notes_visible, "-notes")

    def action_setup(self) -> None:
        setup = self.query_one("#demo-setup")
        setup.display = not setup.display

    def action_whatif_key(self, key: str) -> None:
        self.action_whatif()

    def action_whatif(self) -> None:
        """Swap the lab as written and the what-if's run, keeping the place: the same stop, the end, or the
        same simulated time."""
        run = self.run
        item = self.item
        if run is None or run.model is None:
            return
        if item.whatif is None:
            self.notify("This lab has no what-if in the playlist.")
            return
        if run.variant is None:
            self.whatif_pending = True
            self.notify(f"Running the emulator with {item.whatif.label}…")
            return
        if run.variant.model is None:
            self.notify(run.variant.error or "", title="The what-if is refused", severity="error")
            return
        old = self._model()
        old_positions = self._positions()
        at_stop = self.stop >= 0 and old.pos == old_positions[self.stop]
        clock = self.player_view.player.clock if self.player_view.player is not None else 0.0
        self.player_view.cancel()
        self.heading = None
        self.showing_whatif = not self.showing_whatif
        self.set_class(self.showing_whatif, "-whatif")
        new = self._model()
        label = f"WHAT-IF: {item.whatif.label}" if self.showing_whatif else ""
        self.player_view.set_model(new, label=label)
        if self.finished:
            pos = len(new)
        elif at_stop:  # a stop the changed run never reaches freezes at its end (stop_index)
            pos = self._positions()[self.stop]
        elif old.pos == 0:
            pos = 0
        elif old.pos >= len(old):
            pos = len(new)
        else:
            pos = sum(1 for e in new.entries if float(e["t"]) <= clock)
        self._go(pos)
        if at_stop:
            self._hold_stop_clock()
        self.query_one("#demo-banner", Static).update(
            f"WHAT-IF  {item.whatif.label}   ·   the emulator ran the lab again with this change   ·   "
            f"{whatif_key(item.whatif)}: back to the lab as written")
        self.query_one(DemoCompare).show(run.rows, outcome_rows(run.variant.trace, run.variant.error),
                                         item.whatif.label)
        self._update_bar()

    def action_leave(self) -> None:
        self.player_view.cancel()
        self.app.pop_screen()

    def action_demo_help(self) -> None:
        self.app.push_screen(DemoHelpScreen(self.item.whatif))
