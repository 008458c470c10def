"""The live classroom's presenter (`study class PLAYLIST`): the presenter screen of `study demo`, with the room
code large and the join address on top, the room's joined/answered counts live, the cards answered from the
students' own devices, the histogram hidden until the reveal (h toggles it), and the class summary at the end.

The room and its server are study.classroom (no Textual); this module only shows them and tells the room what the
projector shows (the scene) and which card is open.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Digits, Footer, Static

from study.classroom.room import LETTERS, Room, card_id, card_payload, summary_csv
from study.tui.screens.demo import DemoScreen
from study.tui.screens.demo_card import CardScreen

ROOM_POLL_SECONDS = 0.1  # how often the presenter's screen looks at the room's counts (a cheap version check)
BAR_WIDTH = 30


def histogram_lines(options: list[str], counts: list[int], correct: int | None) -> list[str]:
    """One line per option: letter, bar, share and count; the right one marked once it is known."""
    total = sum(counts)
    lines = []
    for i, text in enumerate(options):
        n = counts[i] if i < len(counts) else 0
        share = n / total if total else 0.0
        bar = "█" * round(share * BAR_WIDTH)
        mark = "  ✓ right" if correct == i else ""
        lines.append(f"{LETTERS[i]}  {bar:<{BAR_WIDTH}} {share:>4.0%}  ({n})  {text[:40]}{mark}")
    return lines


class ClassCardScreen(CardScreen):
    """The stop's card, answered by the room: live counts, the histogram on h (shown by the reveal)."""

    DEFAULT_CSS = """
    ClassCardScreen #card-room { height: 1; color: $foreground; text-style: bold; }
    ClassCardScreen #card-hist { height: auto; display: none; padding: 0 1; border: heavy $foreground 40%; }
    ClassCardScreen.-hist #card-hist { display: block; }
    """
    BINDINGS = [Binding("h", "histogram", "Histogram")]

    def __init__(self, card, whys: list[str], where: str, room: Room, card_key: str, payload: dict) -> None:
        super().__init__(card, whys, where)
        self.room = room
        self.card_key = card_key
        self.payload = payload
        self.seen_version = -1
        self.histogram = False

    def on_mount(self) -> None:
        card = self.query_one("#card")
        card.mount(Static("", id="card-room", markup=False), before="#card-answer")
        card.mount(Static("", id="card-hist", markup=False), before="#card-answer")
        self.query_one("#card-keys", Static).update(
            "students answer on their devices · h: histogram · r or space: reveal · Esc: back to the run")
        self.room.open_card(self.card_key, self.payload)
        if self.room.cards[self.card_key].revealed:  # shown before (a restart, or c again): its result stands
            self.action_reveal()
        self.refresh_room()
        self.set_interval(ROOM_POLL_SECONDS, self.refresh_room)

    def on_unmount(self) -> None:
        self.room.close_card()

    def refresh_room(self) -> None:
        view = self.room.presenter_view()
        if view["version"] == self.seen_version:
            return
        self.seen_version = view["version"]
        state = self.room.cards[self.card_key]
        counts = state.counts()
        answered = sum(counts)
        hint = "" if self.histogram else "  ·  h: show the histogram"
        self.query_one("#card-room", Static).update(
            f"{answered} of {view['joined']} students answered{hint}  ·  room {self.room.code}")
        correct = self.card.correct if self.revealed else None
        self.query_one("#card-hist", Static).update("\n".join(histogram_lines(self.card.options, counts, correct)))

    def action_histogram(self) -> None:
        self.histogram = not self.histogram
        self.set_class(self.histogram, "-hist")
        self.seen_version = -1
        self.refresh_room()

    def action_reveal(self) -> None:
        if self.revealed:
            return
        super().action_reveal()
        self.room.reveal()
        counts = self.room.cards[self.card_key].counts()
        if sum(counts):
            top = max(range(len(counts)), key=lambda i: counts[i])
            share = counts[self.card.correct] / sum(counts)
            self.query_one("#card-answer", Static).update(
                f"Answer: {LETTERS[self.card.correct]}  {self.card.options[self.card.correct]}  ·  "
                f"{share:.0%} of the room right  ·  most chosen: {LETTERS[top]}")
        self.histogram = True
        self.add_class("-hist")
        self.seen_version = -1
        self.refresh_room()
        self.query_one("#card-keys", Static).update("h: hide the histogram · space or Esc: back to the run")


class ClassScreen(DemoScreen):
    """`study demo`'s presenter screen with a room: the code and address on top, the scene told to students."""

    DEFAULT_CSS = """
    ClassScreen #class-banner { height: 5; background: $foreground; color: $background; padding: 0 1; }
    ClassScreen #class-banner.-hidden { display: none; }
    ClassScreen #class-code { width: auto; color: $background; text-style: bold; margin-right: 3; }
    ClassScreen #class-join { width: 1fr; height: 5; color: $background; text-style: bold; content-align: left middle; }
    """
    BINDINGS = [
        Binding("S", "summary", "Class summary", key_display="S"),
        Binding("J", "banner", "Room code", key_display="J", show=False),
    ]

    def __init__(self, playlist, room: Room, join_url: str, *, exposed: bool = False, **kwargs) -> None:
        super().__init__(playlist, **kwargs)
        self.room = room
        self.join_url = join_url
        self.exposed = exposed  # listening beyond loopback: said on the banner, not only before the screen opens
        self.seen_version = -1

    def compose(self) -> ComposeResult:
        with Horizontal(id="class-banner"):
            yield Digits(self.room.code, id="class-code")
            yield Static("", id="class-join", markup=False)
        yield from super().compose()

    def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # DemoScreen's own on_mount would open the first lab over the resumed one
        self.set_class(self.notes_visible, "-notes")
        saved = self.room.scene.get("item")
        resumed = isinstance(saved, int) and 0 <= saved < len(self.playlist.items)  # a resumed room: its lab
        self.open_item(saved if resumed else 0)
        self.refresh_room()
        self.set_interval(ROOM_POLL_SECONDS, self.refresh_room)

    def refresh_room(self) -> None:
        view = self.room.presenter_view()
        if view["version"] == self.seen_version:
            return
        self.seen_version = view["version"]
        resumed = "  (resumed)" if self.room.resumed else ""
        self.query_one("#class-join", Static).update(
            f"Join at {self.join_url}  with room code {self.room.code}{resumed}\n"
            f"or in a terminal: study join {self.join_url} {self.room.code}\n"
            f"{view['joined']} joined"
            + ("  ·  open to the network: anyone who can reach this machine and has the code can join"
               if self.exposed else ""))

    # -- the scene students read between cards ----------------------------------------------------------------
    def scene_text(self) -> str:
        n = len(self.playlist.items)
        run = self.run
        title = run.lab.title if run is not None else self.item.lab
        lines = [f"Lab {self.index + 1} of {n}: {title}"]
        stops = len(self.item.stops)
        if run is None:
            lines.append("The projector is loading the lab.")
        elif run.model is None:
            lines.append("AWS refuses this lab's configuration: the projector shows why.")
        elif self.heading is not None:
            where = "the end of the run" if self.heading >= stops else f"stop {self.heading + 1} of {stops}"
            lines.append(f"The projector plays the lab to {where}.")
        elif self.finished:
            lines.append("End of the lab: the projector shows the whole run.")
        elif self.stop < 0:
            lines.append("The projector shows the lab's setup. Read it and think about what will happen.")
        else:
            lines.append(f"Stop {self.stop + 1} of {stops}: the projector is frozen here.")
        if self.showing_whatif and self.item.whatif is not None:
            lines.append(f"What-if: {self.item.whatif.label}")
        return "\n".join(lines)

    def _update_bar(self) -> None:
        super()._update_bar()
        self.room.set_scene({"item": self.index, "stop": self.stop, "text": self.scene_text()})

    def card_screen(self, card, whys: list[str], where: str) -> CardScreen:
        key = card_id(self.index, self.stop)
        payload = card_payload(card, whys, where, self.item.lab, self.stop)
        return ClassCardScreen(card, whys, where, self.room, key, payload)

    def action_advance(self) -> None:
        if self.finished and self.index + 1 >= len(self.playlist.items) and not self.card_open:
            self.action_summary()
            return
        super().action_advance()

    def action_demo_help(self) -> None:
        from study.tui.screens.demo_help import DemoHelpScreen

        self.app.push_screen(DemoHelpScreen(self.item.whatif, [
            "THE LIVE ROOM",
            f"  Students join at {self.join_url} with code {self.room.code}",
            "  On a card: the students answer on their devices; the count shows live.",
            "  h              the histogram (hidden until the reveal, which shows it)",
            "  S              the class summary (also after the last lab); there e saves a CSV, x ends the class",
            "  J              hide or show the room code",
            "",
        ]))

    def action_summary(self) -> None:
        self.app.push_screen(ClassSummaryScreen(self.room))

    def action_banner(self) -> None:
        self.query_one("#class-banner").toggle_class("-hidden")


class ClassSummaryScreen(ModalScreen[None]):
    """Per card: the share right, the most chosen wrong option and the misconception behind it; e saves a CSV."""

    DEFAULT_CSS = """
    ClassSummaryScreen { align: center middle; }
    ClassSummaryScreen > VerticalScroll { width: 100%; height: 100%; border: heavy $foreground;
                                          background: $background; padding: 0 2; }
    ClassSummaryScreen #summary-text { height: auto; }
    ClassSummaryScreen #summary-saved { height: auto; color: $success; text-style: bold; }
    """
    BINDINGS = [
        Binding("e", "export", "Save as CSV"),
        Binding("x", "end", "End the class"),
        Binding("escape,q", "close", "Back"),
    ]

    def __init__(self, room: Room) -> None:
        super().__init__()
        self.room = room

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(summary_text(self.room), id="summary-text", markup=False)
            yield Static("", id="summary-saved", markup=False)
        yield Footer()

    def action_export(self) -> None:
        from study import paths

        path = paths.user_data_dir() / f"class-{self.room.code}-{datetime.now():%Y%m%d-%H%M}.csv"
        write_summary(self.room, path)
        self.query_one("#summary-saved", Static).update(f"Saved: {path}")
        self.notify(str(path), title="Class summary saved")

    def action_end(self) -> None:
        """The room is done: students are told, and the next `study class` of this playlist opens a new room."""
        self.room.set_scene({**self.room.scene, "text": "The class has ended. Thank you!"})
        self.room.end()
        self.query_one("#summary-saved", Static).update(
            "The class has ended: the next study class of this playlist opens a new room. e still saves the CSV.")

    def action_close(self) -> None:
        self.dismiss()


def summary_text(room: Room) -> str:
    rows = room.summary()
    lines = [f"CLASS SUMMARY  ·  {room.title}  ·  room {room.code}  ·  {len(room.students)} students"]
    names = sorted(n for n in room.students.values() if n)
    anonymous = len(room.students) - len(names)
    if names:
        lines.append("Joined: " + ", ".join(names) + (f" and {anonymous} anonymous" if anonymous else ""))
    lines.append("")
    if not rows:
        lines.append("No card has been opened yet.")
    for row in rows:
        share = "—" if row["share_right"] is None else f"{row['share_right']:.0%}"
        lines.append(f"Card {row['card']}  ({row['lab']}, stop {row['stop']})")
        lines.append(f"  {row['question']}")
        lines.append(f"  {row['answered']} answered · {share} right ({row['correct']}: {row['correct_text']})")
        if row["top_wrong"]:
            n = row["top_wrong_count"]
            lines.append(f"  most chosen wrong: {row['top_wrong']} ({row['top_wrong_text']}), "
                         f"{n} student{'s' if n != 1 else ''}")
            lines.append(f"  behind it: {row['why'] or row['misconception']}")
        lines.append("")
    lines.append("e: save as CSV · x: end the class · Esc: back")
    return "\n".join(lines)


def write_summary(room: Room, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(summary_csv(room.summary()), encoding="utf-8")


# -- the entry point --------------------------------------------------------------------------------------------

def run_class(playlist_name: str, host: str, port: int, public_url: str | None, *, fresh: bool = False,
              export: str | None = None) -> int:
    """`study class PLAYLIST`: the room's server on a thread, the presenter's screen in the terminal."""
    from study.classroom.network import is_loopback, join_host, warn_if_public
    from study.classroom.server import ClassServer
    from study.classroom.store import ClassStore
    from study.demo import playlist_or_say

    playlist = playlist_or_say("study class", playlist_name)
    if playlist is None:
        return 2
    store = ClassStore()
    if store.message:
        print(f"study class: {store.message}", file=sys.stderr)
    try:
        if export is not None:
            code = store.open_room(playlist.name)
            if code is None:
                print(f"study class: playlist {playlist.name} has no open room to export", file=sys.stderr)
                return 2
            room = Room.open(store, playlist.name, playlist.title)
            write_summary(room, Path(export))
            print(f"study class: room {room.code}'s summary ({len(room.cards)} cards) written to {export}")
            return 0
        room = Room.open(store, playlist.name, playlist.title, fresh=fresh)
        server = ClassServer(room, host, port)
        try:
            server.start_in_thread()
        except OSError as err:
            print(f"study class: cannot listen on {host}:{port} ({err.strerror or err}); try another --port",
                  file=sys.stderr)
            return 2
        warn_if_public("study class", host, port)
        join_url = (public_url or f"http://{join_host(host)}:{server.port}").rstrip("/")
        state = "resumed" if room.resumed else "opened"
        print(f"study class: room {room.code} {state}; students join at {join_url}", file=sys.stderr)
        try:
            _run_presenter(playlist, room, join_url, not is_loopback(host))
        finally:
            server.stop_thread()
        return 0
    finally:
        store.close()


def _run_presenter(playlist, room: Room, join_url: str, exposed: bool) -> None:
    from study.tui.app import make_app

    app = make_app()

    async def start(pilot) -> None:
        pilot.app.push_screen(ClassScreen(playlist, room, join_url, exposed=exposed))

    app.run(auto_pilot=start)
