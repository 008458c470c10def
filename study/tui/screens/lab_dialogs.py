"""The lab's dialogs: confirm a reveal without predicting, and the second prediction a what-if asks for."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from study.tui.widgets.prediction_field import Choices, PredictionField, advance


class ConfirmReveal(ModalScreen[bool]):
    """Watch, Explain and What-if show the outcome: before a commit they open only after this is confirmed."""

    DEFAULT_CSS = """
    ConfirmReveal { align: center middle; }
    ConfirmReveal > Vertical { width: 70; max-width: 95%; height: auto; border: round $warning;
                               background: $surface; padding: 1 2; }
    ConfirmReveal Static { height: auto; margin-bottom: 1; }
    ConfirmReveal Horizontal { height: auto; }
    ConfirmReveal Button { margin-right: 2; }
    """
    BINDINGS = [Binding("y", "answer(True)", "Reveal"), Binding("n,escape", "answer(False)", "Keep predicting"),
                Binding("question_mark", "app.help", "Help")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]See the outcome without predicting?[/]\n\nWatch, Explain and What-if show what "
                         "happens. Once you have seen it, your answers are frozen and this attempt is recorded "
                         "as revealed without predicting. Committing a guess first is how the lab teaches.")
            with Horizontal():
                yield Button("Keep predicting (n)", id="no", variant="primary")
                yield Button("Reveal (y)", id="yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class WhatIfPredict(ModalScreen[list | None]):
    """Before a what-if runs: the lab's questions again, for the changed setting. Blank = no prediction."""

    DEFAULT_CSS = """
    WhatIfPredict { align: center middle; }
    WhatIfPredict > Vertical { width: 100; max-width: 98%; height: 90%; border: round $accent;
                               background: $surface; }
    WhatIfPredict VerticalScroll { height: 1fr; padding: 0 1; }
    WhatIfPredict #wi-heading { height: auto; margin: 0 1 1 1; }
    WhatIfPredict #wi-run { margin: 0 1; }
    """
    # A modal screen hides the app's keys: ? is bound here too (in an answer box it types a "?").
    BINDINGS = [Binding("ctrl+s", "run", "Run it", priority=True), Binding("escape", "cancel", "Cancel"),
                Binding("question_mark", "app.help", "Help")]

    def __init__(self, title: str, predictions: list, shapes: list[Any], trigger_type: str = "") -> None:
        super().__init__()
        self.trigger_type = trigger_type
        self.what = title
        self.predictions = predictions
        self.shapes = shapes

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll(id="wi-scroll"):
                yield Static(f"[b]What if {escape(self.what)}?[/]\nPredict again for the changed setting, then "
                             "run it (ctrl+s). Blank = no prediction. Esc cancels.", id="wi-heading")
                for i, (pred, shape) in enumerate(zip(self.predictions, self.shapes), 1):
                    yield PredictionField(i, pred, shape, self.trigger_type, id=f"wi-{i}")
                yield Button("Run the what-if with these predictions (ctrl+s)", id="wi-run", variant="primary")

    def on_mount(self) -> None:
        fields = self.fields()
        if fields:
            fields[0].focus_control()

    def fields(self) -> list[PredictionField]:
        return list(self.query(PredictionField))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        advance(self.fields(), event.input, self.query_one("#wi-run"))

    def on_choices_next(self, event: Choices.Next) -> None:
        advance(self.fields(), event.choices, self.query_one("#wi-run"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_run()

    def action_run(self) -> None:
        values = []
        for f in self.fields():
            value, problem = f.answer()
            if problem:
                f.focus_control()
                self.notify(f"Question {f.number}: {problem}", severity="warning")
                return
            values.append(value)
        self.dismiss(values)

    def action_cancel(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one("#wi-scroll").focus()  # Esc leaves the box first; a second Esc cancels
            return
        self.dismiss(None)


class RunDetail(ModalScreen[None]):
    """One run's event and response (or error) as JSON, opened from Watch with j."""

    DEFAULT_CSS = """
    RunDetail { align: center middle; }
    RunDetail > VerticalScroll { width: 100; max-width: 98%; height: 90%; border: round $primary;
                                 background: $surface; padding: 0 1; }
    RunDetail Static { height: auto; }
    """
    BINDINGS = [Binding("escape,j,q", "close", "Close"), Binding("question_mark", "app.help", "Help")]

    def __init__(self, invocation: dict) -> None:
        super().__init__()
        self.invocation = invocation

    def compose(self) -> ComposeResult:
        import json

        from rich.syntax import Syntax

        inv = self.invocation
        head = (f"[b]Run #{inv.get('n')}[/] on λ{inv.get('instance')} · attempt {inv.get('attempt')} · "
                f"{escape(str(inv.get('status')))} · {inv.get('start'):g} s → {inv.get('end'):g} s · "
                f"inputs {escape(', '.join(map(str, inv.get('inputs') or [])))}\n"
                f"request id {escape(str(inv.get('request_id')))}")
        theme = "ansi_dark" if self.app.current_theme.dark else "ansi_light"
        with VerticalScroll():
            yield Static(head)
            for title, value in (("event", inv.get("event")), ("response", inv.get("response")),
                                 ("error", inv.get("error"))):
                if value is None and title != "event":
                    continue
                yield Static(f"\n[b]{title}[/]")
                yield Static(Syntax(json.dumps(value, indent=2, ensure_ascii=False, default=str), "json",
                                    word_wrap=True, theme=theme))
            yield Static("\n[dim]Esc or j closes[/]")

    def action_close(self) -> None:
        self.dismiss()
