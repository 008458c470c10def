"""One prediction question with its keyboard control: a text box for numbers, lists and text, a radio set for
choices and yes/no. After commit it locks and shows the verdict."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.message import Message
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from study.lab import Prediction, final_label, parse_answer

HINTS = {
    "number": "a number, e.g. 3 or 60.5",
    "list": "values separated by commas or spaces",
    "list-nested": "groups separated by ';', values by spaces, e.g. r1 r2 r3; r4",
    "text": "type the text",
}


class Choice(RadioButton):
    """An option whose state shows by a glyph as well as colour: ● chosen, ○ not."""

    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802 - Textual reads this class attribute's name
        return "●" if self.value else "○"


class Choices(RadioSet):
    """A radio set where Space (or a click) chooses and Enter only moves on: a blank answer stays blank."""

    BINDINGS = [
        Binding("down,right", "next_button", "Next option", show=False),
        Binding("up,left", "previous_button", "Previous option", show=False),
        Binding("space", "toggle_button", "Choose", show=False),
        Binding("enter", "next_question", "Next question", show=False),
    ]

    class Next(Message):
        """Enter: go on to the next question without choosing."""

        def __init__(self, choices: Choices) -> None:
            super().__init__()
            self.choices = choices

    def action_next_question(self) -> None:
        self.post_message(self.Next(self))


class PredictionField(Vertical):
    DEFAULT_CSS = """
    PredictionField { height: auto; margin: 0 0 1 0; padding: 0 1; }
    PredictionField > Input { background: $boost; }
    PredictionField > .question { text-style: bold; width: 1fr; }
    PredictionField > .hint { color: $text-muted; height: auto; }
    PredictionField > .problem { color: $error; height: auto; }
    PredictionField > .verdict { height: auto; }
    PredictionField > Input { width: 1fr; }
    PredictionField > Choices { width: 1fr; height: auto; border: none; padding: 0; }
    PredictionField > Choices:focus { border: none; background-tint: $foreground 5%; }
    PredictionField > Choices > Choice { width: 1fr; height: auto; }
    """

    def __init__(self, number: int, pred: Prediction, shape: Any = None, trigger_type: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.number = number
        self.pred = pred
        self.shape = shape
        self.trigger_type = trigger_type  # final states read in this trigger's words
        self.sealed = False

    @property
    def choices(self) -> list[str]:
        return ["yes", "no"] if self.pred.kind == "bool" else list(self.pred.options)

    def compose(self) -> ComposeResult:
        yield Label(f"{self.number}. {escape(self.pred.question)}", classes="question")
        if self.pred.kind in ("choice", "bool"):
            with Choices():
                for option in self.choices:
                    yield Choice(escape(final_label(option, self.trigger_type)))
        else:
            kind = self.pred.kind
            if kind == "list" and isinstance(self.shape, list) and any(isinstance(x, list) for x in self.shape):
                kind = "list-nested"
            yield Input(placeholder=HINTS.get(kind, ""), compact=True)
        yield Static("", classes="problem")
        yield Static("", classes="verdict")

    def on_mount(self) -> None:
        for child in self.query(".problem, .verdict"):
            child.display = False

    @property
    def control(self):
        return self.query_one(Choices) if self.pred.kind in ("choice", "bool") else self.query_one(Input)

    def focus_control(self) -> None:
        self.control.focus()

    def text(self) -> str:
        if self.pred.kind in ("choice", "bool"):
            rs = self.query_one(Choices)
            idx = rs.pressed_index
            return self.choices[idx] if idx >= 0 else ""
        return self.query_one(Input).value

    def set_text(self, text: str) -> None:
        """Answer programmatically (tests, classroom mode)."""
        if self.pred.kind in ("choice", "bool"):
            buttons = list(self.query(Choice))
            exact = [b for b, o in zip(buttons, self.choices) if o.lower() == text.lower()]
            quoted = [b for b, o in zip(buttons, self.choices) if o.lower() == f'"{text.lower()}"']
            for button in (exact or quoted)[:1]:
                button.value = True
        else:
            self.query_one(Input).value = text

    def answer(self) -> tuple[Any, str | None]:
        value, problem = parse_answer(self.pred, self.text(), self.shape)
        box = self.query_one(".problem", Static)
        box.update(escape(problem or ""))
        box.display = bool(problem)
        return value, problem

    def seal(self, verdict: bool | None, actual: str) -> None:
        actual = final_label(actual, self.trigger_type)
        self.sealed = True
        self.control.disabled = True
        if verdict is None:
            line = f"[dim]no prediction[/] · it was [b]{escape(actual)}[/]"
        elif verdict:
            line = f"[b $success]✓ right[/] · it was [b]{escape(actual)}[/]"
        else:
            line = f"[b $error]✗ not this time[/] · it was [b]{escape(actual)}[/]"
        verdict_box = self.query_one(".verdict", Static)
        verdict_box.update(line)
        verdict_box.display = True


def advance(fields: list[PredictionField], control, last) -> None:
    """Enter in a question's control: focus the next question's control, or `last` (the commit button) after
    the final one."""
    for i, f in enumerate(fields):
        if control in f.query("*"):
            if i + 1 < len(fields):
                fields[i + 1].focus_control()
            else:
                last.focus()
            return
