"""Instructor mode's prediction card: a full-screen A-D question the room answers before the run goes on, then
the reveal with where each option comes from."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from study.demo import LETTERS
from study.tui.widgets.demo_option import DemoOption, fits_big


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
