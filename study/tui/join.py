"""`study join URL CODE`: a student's card in the terminal. Between cards it says what the projector shows; at a
stop it shows the card (a–d to answer, again to change until the reveal); after the reveal, right or not and why.
The connection is a long poll in a worker thread that reconnects by itself."""

from __future__ import annotations

import sys
import threading

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from study.classroom.client import ClassClient, ClassError

LETTERS = "ABCD"
RETRY_SECONDS = 2.0


def card_lines(view: dict) -> tuple[str, list[str], str, str]:
    """(question, option lines, verdict, explanation) of the card in a student view; empty when no card is shown."""
    card = view.get("card")
    if not card:
        return "", [], "", ""
    options = []
    for i, text in enumerate(card["options"]):
        mark = "   "
        if card["state"] == "revealed" and i == card["correct"]:
            mark = " ✓ "
        elif card["state"] == "revealed" and card.get("mine") == i:
            mark = " ✗ "
        elif card.get("mine") == i:
            mark = " ▶ "
        options.append(f"{mark}{LETTERS[i]}  {text}")
    if card["state"] == "open":
        verdict = ("Press a–d to answer." if card.get("mine") is None else
                   f"Your answer: {LETTERS[card['mine']]}. You can change it until the reveal.")
    elif card.get("right") is None:
        verdict = f"You did not answer this one. The answer: {LETTERS[card['correct']]}"
    elif card["right"]:
        verdict = f"Right: {LETTERS[card['correct']]}"
    else:
        verdict = f"Not this time: the answer is {LETTERS[card['correct']]}"
    return card["question"], options, verdict, "\n\n".join(card.get("explain") or [])


class JoinApp(App):
    CSS = """
    Screen { background: $background; }
    #join-title { height: auto; padding: 0 1; background: $foreground; color: $background; text-style: bold; }
    #join-status { height: 1; padding: 0 1; color: $foreground 70%; }
    #join-status.-lost { color: $warning; }
    #join-scene { height: auto; padding: 1 2; margin: 1 1 0 1; border-left: heavy $warning; }
    #join-card { height: 1fr; padding: 0 2; }
    #join-where { height: auto; color: $foreground 70%; margin-top: 1; }
    #join-question { height: auto; text-style: bold; margin: 1 0; }
    .join-option { height: auto; padding: 0 1; margin-bottom: 1; border: round $primary; }
    .join-option.-mine { border: heavy $accent; }
    .join-option.-right { border: heavy $success; }
    .join-option.-wrong { border: heavy $error; }
    #join-verdict { height: auto; margin-bottom: 1; text-style: bold; color: $accent; }
    #join-explain { height: auto; }
    """
    BINDINGS = [
        Binding("a", "pick(0)", "A"), Binding("b", "pick(1)", "B"),
        Binding("c", "pick(2)", "C"), Binding("d", "pick(3)", "D"),
        Binding("q", "quit", "Leave"),
    ]

    def __init__(self, client: ClassClient, first_view: dict) -> None:
        super().__init__()
        self.client = client
        self.view = first_view
        self.version = -1
        self.stopping = threading.Event()

    def compose(self) -> ComposeResult:
        yield Static("", id="join-title", markup=False)
        yield Static("", id="join-status", markup=False)
        yield Static("", id="join-scene", markup=False)
        with VerticalScroll(id="join-card"):
            yield Static("", id="join-where", markup=False)
            yield Static("", id="join-question", markup=False)
            yield Static("", id="join-verdict", markup=False)
            for i in range(4):
                yield Static("", id=f"join-option-{i}", classes="join-option", markup=False)
            yield Static("", id="join-explain", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.view)
        self.poll()

    def on_unmount(self) -> None:
        self.stopping.set()

    def status(self, text: str, lost: bool = False) -> None:
        status = self.query_one("#join-status", Static)
        status.update(text)
        status.set_class(lost, "-lost")

    def show(self, view: dict) -> None:
        self.view = view
        nick = f"  ·  {view['nickname']}" if view.get("nickname") else ""
        self.query_one("#join-title", Static).update(f"{view['title']}  ·  room {view['room']}{nick}")
        self.query_one("#join-scene", Static).update(view.get("scene") or "")
        question, options, verdict, explain = card_lines(view)
        card = view.get("card")
        self.query_one("#join-card").display = card is not None
        self.query_one("#join-where", Static).update(card.get("where", "") if card else "")
        self.query_one("#join-question", Static).update(question)
        for i in range(4):
            widget = self.query_one(f"#join-option-{i}", Static)
            widget.display = i < len(options)
            widget.update(options[i] if i < len(options) else "")
            revealed = bool(card) and card["state"] == "revealed"
            widget.set_class(bool(card) and card.get("mine") == i and not revealed, "-mine")
            widget.set_class(revealed and card["correct"] == i, "-right")
            widget.set_class(revealed and card.get("mine") == i and card["correct"] != i, "-wrong")
        self.query_one("#join-verdict", Static).update(verdict)
        self.query_one("#join-explain", Static).update(explain)

    @work(thread=True, exclusive=True, group="join-poll")
    def poll(self) -> None:
        while not self.stopping.is_set():
            try:
                view = self.client.state(self.version)
            except ClassError as err:
                if err.status == 403:
                    self.call_from_thread(self.status, f"Refused: {err.message}", True)
                    return
                self.call_from_thread(self.status, f"Connection lost: reconnecting… ({err.message})", True)
                self.stopping.wait(RETRY_SECONDS)
                continue
            self.version = view["version"]
            if not self.stopping.is_set():
                self.call_from_thread(self._polled, view)

    def _polled(self, view: dict) -> None:
        self.status(f"Connected to room {view['room']}.")
        if not view.get("joined"):
            self.rejoin()
            return
        if view != self.view:
            self.show(view)

    @work(thread=True, group="join-answer")
    def rejoin(self) -> None:
        try:
            self.call_from_thread(self.show, self.client.join())
        except ClassError as err:
            self.call_from_thread(self.status, f"Could not join again: {err.message}", True)

    def action_pick(self, option: int) -> None:
        card = self.view.get("card")
        if not card or card["state"] != "open":
            self.notify("No card is open: wait for the next stop.")
            return
        if option >= len(card["options"]):
            return
        self.send_answer(card["id"], option)

    @work(thread=True, group="join-answer")
    def send_answer(self, card: str, option: int) -> None:
        try:
            view = self.client.answer(card, option)
        except ClassError as err:
            self.call_from_thread(self.notify, err.message, title="Not accepted", severity="warning")
            return
        self.call_from_thread(self.show, view)


def run_join(url: str, code: str, nickname: str = "") -> int:
    try:
        client = ClassClient(url, code)
        view = client.join(nickname)
    except ClassError as err:
        print(f"study join: {err.message}", file=sys.stderr)
        return 2
    JoinApp(client, view).run()
    return 0
