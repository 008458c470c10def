"""One option of a prediction card: a big letter, the answer (in big digits when it is a number or a list of
numbers), and after the reveal where it comes from: the emulator's truth or a named misconception."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Digits, Static

# Characters Digits draws in its 3x3 font (a comma falls on the bottom row, which reads well enough).
BIG_CHARS = set("0123456789+-x:., ")


def fits_big(text: str, columns: int) -> bool:
    """Whether `text` can be drawn in Digits (3 columns a character) within `columns`."""
    return 0 < len(text) * 3 <= columns and set(text) <= BIG_CHARS


class DemoOption(Widget):
    DEFAULT_CSS = """
    DemoOption { height: 1fr; width: 1fr; border: heavy $primary; padding: 0 1; layout: vertical;
                 background: $background; }
    DemoOption > Horizontal { height: auto; min-height: 3; }
    DemoOption .option-letter { width: 5; color: $foreground; text-style: bold; }
    DemoOption .option-big { width: auto; color: $foreground; text-style: bold; }
    DemoOption .option-text { width: 1fr; height: auto; padding: 1 0 0 1; color: $foreground; text-style: bold; }
    DemoOption .option-why { height: auto; margin-top: 1; display: none; }
    DemoOption.-revealed .option-why { display: block; }
    DemoOption.-picked { border: double $accent; }
    DemoOption.-correct { border: heavy $success; background: $success 25%; }
    DemoOption.-correct .option-why { color: $foreground; text-style: bold; }
    DemoOption.-wrong { border: heavy $foreground 25%; }
    DemoOption.-wrong .option-big, DemoOption.-wrong .option-text, DemoOption.-wrong .option-letter {
        color: $foreground 55%; }
    DemoOption.-wrong .option-why { color: $foreground; }
    """

    def __init__(self, letter: str, text: str, why: str, big: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.letter = letter
        self.text = text
        self.why = why
        self.big = big

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Digits(self.letter, classes="option-letter")
            if self.big:
                yield Digits(self.text, classes="option-big")
            else:
                yield Static(self.text, classes="option-text", markup=False)
        yield Static(self.why, classes="option-why", markup=False)

    def reveal(self, correct: bool) -> None:
        self.add_class("-revealed", "-correct" if correct else "-wrong")

    def pick(self, picked: bool) -> None:
        self.set_class(picked, "-picked")
