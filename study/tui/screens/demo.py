"""Instructor mode (`study demo [PLAYLIST]`): a playlist of labs played for a room in a big, high-contrast layout,
frozen at scripted stops for a full-screen A-D prediction card, with a what-if on one key and hideable notes."""

from __future__ import annotations

import string
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from study.tui.widgets.demo_compare import DemoCompare, outcome_rows
from study.tui.widgets.demo_option import DemoOption, fits_big
from study.tui.widgets.demo_scoreboard import seconds_text
from study.tui.widgets.demo_watch import DemoWatch
from study.tui.widgets.setup_diagram import SetupDiagram

LETTERS = "ABCD"
# Keys the presenter screen uses itself; a playlist's what-if key must be another letter or digit
# (`w` toggles the what-if of any lab, whatever its own key).
PRESENTER_KEYS = frozenset("cnsw")
WHATIF_KEYS = [k for k in string.ascii_lowercase + string.digits if k not in PRESENTER_KEYS]


def whatif_key(whatif) -> str:
    """The key that toggles this what-if: its own, unless a presenter key or not a letter/digit; then `w`."""
    return whatif.key if whatif is not None and whatif.key in WHATIF_KEYS else "w"


def playlist_titles() -> list[tuple[str, str]]:
    """(name, title) of every playlist, read without building any scenario (for the command palette)."""
    from study.demo import demos_dir
    from study.sim import yamlpos
    from study.sim.errors import ScenarioError

    out = []
    for path in sorted(demos_dir().glob("*.yaml")):
        try:
            data, _ = yamlpos.load_file(str(path))
        except ScenarioError:
            continue
        title = data.get("title") if isinstance(data, dict) else None
        out.append((path.stem, str(title or path.stem)))
    return out


def find_playlist(name: str):
    """A playlist by name (file stem in content/demos) or by path. Returns None when there is no such file;
    a file that is wrong raises ScenarioError (file:line:col)."""
    from study.demo import demos_dir, load_playlist

    path = Path(name)
    if not (path.suffix in (".yaml", ".yml") and path.is_file()):
        path = demos_dir() / f"{name}.yaml"
    if not path.is_file():
        return None
    return load_playlist(path)


# -- what a worker prepares for one lab of the playlist ---------------------------------------------------------

@dataclass
class Variant:
    """The what-if's run: its trace, playback and where each stop freezes in it."""

    trace: dict | None
    model: Any
    positions: list[int]
    error: str | None = None


@dataclass
class ItemRun:
    lab: Any  # study.lab.Lab
    trace: dict | None
    model: Any  # PlaybackModel
    positions: list[int]  # stop -> timeline entries played at the freeze
    cards: list[Any]  # study.demo.Card per stop
    whys: list[list[str]]  # per stop, per option: where the option comes from
    setup: Any
    error: str | None = None
    variant: Variant | None = None
    rows: dict[str, str] = field(default_factory=dict)


def prepare_item(item) -> ItemRun:
    """Run the lab, place its stops, build its cards (pure work; called from a worker thread)."""
    from study import demo
    from study import lab as lm
    from study.playback import PlaybackModel

    lab = lm.load_lab(item.lab_path)
    outcome = lm.run_lab(lab)
    trace = outcome.trace
    model = PlaybackModel(trace) if trace is not None else None
    positions = [demo.stop_index(trace, s) for s in item.stops] if trace is not None else []
    cards = [demo.make_card(item.lab_path, s) for s in item.stops]
    whys = [demo.card_whys(card) for card in cards]
    return ItemRun(lab=lab, trace=trace, model=model, positions=positions, cards=cards, whys=whys,
                   setup=lm.describe_setup(lab), error=outcome.error, rows=outcome_rows(trace, outcome.error))


def prepare_variant(item) -> Variant:
    from study import demo
    from study.playback import PlaybackModel
    from study.sim.errors import ScenarioError
    from study.sim.run import simulate

    try:
        trace = simulate(demo.apply_whatif(item.lab_path, item.whatif))
    except ScenarioError as err:
        return Variant(None, None, [], str(err))
    return Variant(trace, PlaybackModel(trace), [demo.stop_index(trace, s) for s in item.stops])


# -- the prediction card ----------------------------------------------------------------------------------------

class CardScreen(ModalScreen[None]):
    """A stop's question for the room, full screen: A-D, then the reveal with where each wrong answer comes from."""

    DEFAULT_CSS = """
    CardScreen { background: $background; align: center middle; }
    CardScreen #card { width: 100%; height: 100%; border: heavy $foreground; padding: 0 2; background: $background; }
    CardScreen #card-where { height: 1; color: $foreground 70%; }
    CardScreen #card-question { height: auto; padding: 1 2; margin: 1 0; text-style: bold; color: $background;
                                background: $foreground; text-align: center; }
    CardScreen #card-options { grid-size: 2 2; grid-rows: 1fr 1fr; grid-gutter: 1 2; height: 1fr; }
    CardScreen #card-answer { height: auto; min-height: 1; margin-top: 1; text-style: bold; color: $foreground; }
    CardScreen #card-answer.-shown { background: $success 30%; padding: 0 1; }
    CardScreen #card-keys { height: 1; color: $foreground 70%; }
    """
    BINDINGS = [
        Binding("r", "reveal", "Reveal"),
        Binding("space,enter,right,pagedown", "next", "Reveal / back to the run", key_display="space"),
        Binding("escape", "close", "Back to the run"),
        Binding("question_mark", "app.help", "Help", show=False),
        Binding("a", "pick(0)", "Room picks A", show=False),
        Binding("b", "pick(1)", "Room picks B", show=False),
        Binding("c", "pick(2)", "Room picks C", show=False),
        Binding("d", "pick(3)", "Room picks D", show=False),
    ]

    def __init__(self, card, whys: list[str], where: str) -> None:
        super().__init__()
        self.card = card
        self.whys = whys
        self.where = where
        self.revealed = False
        self.picked: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="card"):
            yield Static(self.where, id="card-where", markup=False)
            yield Static(self.card.question, id="card-question", markup=False)
            # Big digits for every option or for none: the room compares them side by side.
            room = (self.app.size.width - 8) // 2 - 4 - 6  # half the card, less borders and the letter
            big = all(fits_big(text, room) for text in self.card.options)
            with Grid(id="card-options"):
                for i, text in enumerate(self.card.options):
                    yield DemoOption(LETTERS[i], text, self.whys[i] if i < len(self.whys) else "", big=big,
                                     id=f"option-{i}")
            yield Static("", id="card-answer", markup=False)
            yield Static("a–d: the room's answer · r or space: reveal · Esc: back to the run", id="card-keys")

    def options(self) -> list[DemoOption]:
        return list(self.query(DemoOption))

    def action_pick(self, index: int) -> None:
        if index >= len(self.card.options) or self.revealed:
            return
        self.picked = index
        for i, opt in enumerate(self.options()):
            opt.pick(i == index)
        self.query_one("#card-answer", Static).update(f"The room answers {LETTERS[index]}. r: reveal")

    def action_reveal(self) -> None:
        if self.revealed:
            return
        self.revealed = True
        correct = self.card.correct
        for i, opt in enumerate(self.options()):
            opt.reveal(i == correct)
        text = f"Answer: {LETTERS[correct]}  {self.card.options[correct]}"
        if self.picked is not None:
            text += "  ·  the room was right" if self.picked == correct else \
                f"  ·  the room said {LETTERS[self.picked]}"
        answer = self.query_one("#card-answer", Static)
        answer.update(text)
        answer.add_class("-shown")
        self.query_one("#card-keys", Static).update("space or Esc: back to the run")

    def action_next(self) -> None:
        if self.revealed:
            self.dismiss()
        else:
            self.action_reveal()

    def action_close(self) -> None:
        self.dismiss()


# -- the presenter screen ---------------------------------------------------------------------------------------

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


class DemoHelpScreen(ModalScreen[None]):
    """The presenter's keys, in plain text (key names such as [ are not markup here)."""

    DEFAULT_CSS = """
    DemoHelpScreen { align: center middle; }
    DemoHelpScreen > VerticalScroll { width: 84; max-width: 95%; height: auto; max-height: 90%;
                                      border: heavy $foreground; background: $background; padding: 1 2; }
    """
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, whatif, extra: list[str] | None = None) -> None:
        super().__init__()
        self.whatif = whatif
        self.extra = extra or []

    def compose(self) -> ComposeResult:
        key = whatif_key(self.whatif)
        label = self.whatif.label if self.whatif is not None else "(this lab has none)"
        lines = [
            "INSTRUCTOR MODE: THE PRESENTER'S KEYS",
            "",
            "  space → PgDn   play to the next stop; press again to jump there",
            "                 at a stop the card opens: space reveals, space again closes",
            "  Backspace PgUp back to the previous stop (or the lab's start)",
            "  c              the card of this stop again",
            f"  {key:<14} what-if: {label}",
            "                 (swaps with the lab as written; w does the same in every lab)",
            "  → ←  (. ,)     one event forward / back, as in a lab's Watch",
            "  ] [  (+ -)     faster / slower playback, as in a lab's Watch",
            "  Home / End     the lab's start / finish the lab",
            "  > <            next / previous lab of the playlist",
            "  n              presenter notes (hidden by default: they name the answers)",
            "  s              show or hide the setup",
            "  Esc            leave the demo",
            "",
            "On a card: a-d mark the room's answer, r or space reveals, Esc closes.",
            "",
            *self.extra,
            "Esc or ? closes this help.",
        ]
        with VerticalScroll():
            yield Static("\n".join(lines), markup=False)

    def action_close(self) -> None:
        self.dismiss()


# -- choosing a playlist ----------------------------------------------------------------------------------------

class DemoPickerScreen(Screen):
    """The playlists in content/demos; Enter starts one."""

    DEFAULT_CSS = """
    DemoPickerScreen { background: $background; }
    DemoPickerScreen #picker-heading { height: auto; padding: 1 2; text-style: bold; background: $foreground;
                                       color: $background; }
    DemoPickerScreen #picker-problem { height: auto; padding: 0 2; color: $error; }
    DemoPickerScreen OptionList { height: 1fr; border: heavy $primary; padding: 1 1; background: $background; }
    """
    BINDINGS = [Binding("escape", "leave", "Leave")]

    def __init__(self) -> None:
        super().__init__()
        self.playlists: list = []
        self.title = "Instructor mode"

    def compose(self) -> ComposeResult:
        yield Static("Instructor mode: choose a playlist (↑/↓, Enter). In a demo: space next stop, r reveal, "
                     "n notes, > next lab, Esc back here.", id="picker-heading")
        yield Static("", id="picker-problem", markup=False)
        yield OptionList(id="picker-list")
        yield Footer()

    def on_mount(self) -> None:
        from study.demo import demos_dir, load_playlist
        from study.sim.errors import ScenarioError

        problems = []
        option_list = self.query_one(OptionList)
        for path in sorted(demos_dir().glob("*.yaml")):
            try:
                playlist = load_playlist(path)
            except ScenarioError as err:
                problems.append(str(err))
                continue
            self.playlists.append(playlist)
            stops = sum(len(i.stops) for i in playlist.items)
            desc = " ".join(playlist.description.split())
            skipped = f" · {len(playlist.skipped)} lab(s) skipped: cannot be played" if playlist.skipped else ""
            if self.playlists[:-1]:
                option_list.add_option(None)  # a rule between playlists
            option_list.add_option(Option(f"[b]{_escape(playlist.title)}[/]\n{_escape(desc)}\n"
                                          f"[dim]{len(playlist.items)} labs · {stops} stops · {playlist.name}"
                                          f"{skipped}[/]"))
        problem = self.query_one("#picker-problem", Static)
        problem.update("\n".join(problems))
        problem.display = bool(problems)
        if not self.playlists and not problems:
            problem.update(f"No playlists in {demos_dir()}.")
            problem.display = True
        option_list.highlighted = 0 if self.playlists else None
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.app.push_screen(DemoScreen(self.playlists[event.option_index]))

    def action_leave(self) -> None:
        self.app.pop_screen()


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


# -- entry points -------------------------------------------------------------------------------------------------

def open_demo(app: App, name: Any = None) -> None:
    """Push the picker (no name) or the demo of one playlist (a name, a path or a loaded Playlist)."""
    if name is None:
        app.push_screen(DemoPickerScreen())
        return
    from study.sim.errors import ScenarioError

    try:
        playlist = find_playlist(name) if isinstance(name, str) else name
    except ScenarioError as err:
        app.notify(str(err), title="This playlist cannot be played", severity="error", timeout=10)
        return
    if playlist is None:
        app.notify(f"{name!r} is not a playlist in content/demos.", severity="error")
        return
    app.push_screen(DemoScreen(playlist))


def playlist_or_say(command: str, playlist_name: str):
    """The named playlist, or None after saying on stderr why it cannot be played (the command then exits 2)."""
    from study.demo import demos_dir
    from study.sim.errors import ScenarioError

    try:
        playlist = find_playlist(playlist_name)
    except ScenarioError as err:
        print(f"{command}: {err}", file=sys.stderr)
        return None
    if playlist is None:
        names = ", ".join(p.stem for p in sorted(demos_dir().glob("*.yaml"))) or "none"
        print(f"{command}: {playlist_name!r} is not a playlist: expected the name of a file in {demos_dir()} "
              f"(without .yaml) or a path to one; the playlists are: {names}", file=sys.stderr)
    return playlist


def run_demo(playlist_name: str | None = None) -> int:
    """`study demo [PLAYLIST]`: the app opened on the picker or on one playlist. Exit 2 for a bad playlist."""

    playlist = None
    if playlist_name is not None:
        playlist = playlist_or_say("study demo", playlist_name)
        if playlist is None:
            return 2
    from study.tui.app import make_app

    app = make_app()

    async def start(pilot) -> None:
        # Textual's auto-pilot hook runs once the app is ready: the demo opens over the home screen, so Esc
        # from the demo still lands somewhere useful.
        open_demo(pilot.app, playlist)

    app.run(auto_pilot=start)
    return 0


