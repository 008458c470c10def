"""One question on screen, keyboard first: letters choose (or toggle, or put in order), a number is typed, Enter
commits; after grading every option shows its mark and its why. Practice, exams and exam review share it."""

from __future__ import annotations

import random
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.widgets import Input, Static

from study.quiz.protocol import chosen, options_of, qattr, rules_of

# Room for eight options (the content has at most five); a to e are keys, F to H are chosen with the mouse.
LETTERS = "ABCDEFGH"
HINTS = {
    "single": "one answer: a letter, then Enter",
    "multi": "choose all that apply: letters toggle, then Enter",
    "order": "put them in order: letters in sequence (Backspace undoes), then Enter",
}


def shown_order(question: Any, seed: Any = None) -> list[int]:
    """The order options are shown in: shuffled with `seed` (None keeps the stored order, as an exam snapshot
    already is); a number's options explain misconceptions, so they stay in value order."""
    n = len(options_of(question))
    order = list(range(n))
    if seed is not None and qattr(question, "kind", "single") != "numeric":
        random.Random(str(seed)).shuffle(order)
    return order


def numeric_hint(question: Any) -> str:
    answer = qattr(question, "answer") or {}
    if not isinstance(answer, dict):
        return "type a number, then Enter"
    precision = answer.get("precision", 1)
    places = {1: "a whole number", 0.1: "a number with one decimal", 0.01: "a number with two decimals",
              0.001: "a number with three decimals"}.get(precision, f"a number to {precision}")
    unit = {"USD": "dollars", "s": "seconds"}.get(answer.get("unit"), answer.get("unit"))
    return f"type {places}" + (f" ({unit})" if unit else "") + ", then Enter"


def verdicts_for(question: Any, answer: Any) -> dict[int, tuple[bool, bool, str]]:
    """Option index -> (correct, chosen, why) for an answer as the card gives it. A typed number "chooses" the
    option showing the same value, so the misconception behind a wrong number is the one explained."""
    options = options_of(question)
    if qattr(question, "kind") == "numeric":
        picked = set()
        if answer is not None:
            from study.quiz.grade import AnswerError, parse_number
            from study.quiz.model import quantize

            spec = qattr(question, "answer") or {}
            precision = spec.get("precision", 1) if isinstance(spec, dict) else 1
            try:
                given = quantize(parse_number(str(answer)), precision)
                for i, o in enumerate(options):
                    try:
                        if quantize(parse_number(o["text"]), precision) == given:
                            picked.add(i)
                    except AnswerError:
                        continue
            except AnswerError:
                pass
    else:
        picked = set(chosen(question, answer))
    return {i: (o["correct"], i in picked, o["why"]) for i, o in enumerate(options)}


class QuestionCard(VerticalScroll, can_focus=True):
    """Shows a question and collects an answer in the terms `grade_choice` takes: an option's text (single),
    texts (multi), texts in order (order) or the typed text (numeric)."""

    DEFAULT_CSS = """
    QuestionCard { height: 1fr; padding: 0 1; }
    QuestionCard:focus { background-tint: $foreground 3%; }
    QuestionCard > .meta { color: $text-muted; height: auto; }
    QuestionCard > .stem { height: auto; margin: 0 0 1 0; }
    QuestionCard > .option { height: auto; padding: 0 1 0 0; }
    QuestionCard > .option.-chosen { background: $primary 25%; }
    QuestionCard > .option:hover { background: $panel-lighten-1; }
    QuestionCard .opt-label { width: 8; height: auto; padding: 0 0 0 1; }
    QuestionCard .opt-body { width: 1fr; height: auto; }
    QuestionCard > Input { width: 1fr; max-width: 40; margin: 0 0 0 1; background: $boost; }
    QuestionCard > .hint { color: $text-muted; height: auto; margin: 0 0 0 1; }
    QuestionCard > .note { height: auto; margin: 1 0 0 0; }
    """

    BINDINGS = [
        Binding("a", "pick(0)", "Choose", key_display="A-E"),
        Binding("b", "pick(1)", "", show=False),
        Binding("c", "pick(2)", "", show=False),
        Binding("d", "pick(3)", "", show=False),
        Binding("e", "pick(4)", "", show=False),
        Binding("enter", "commit", "Commit", key_display="⏎"),
        Binding("enter", "proceed", "Next", key_display="⏎"),
        Binding("backspace", "undo", "", show=False),
    ]

    class Changed(Message):
        """The answer being built changed (an exam saves it at once)."""

        def __init__(self, card: QuestionCard, answer: Any) -> None:
            super().__init__()
            self.card = card
            self.answer = answer

    class Committed(Message):
        """Enter on an unlocked card with an answer."""

        def __init__(self, card: QuestionCard, answer: Any) -> None:
            super().__init__()
            self.card = card
            self.answer = answer

    class Proceed(Message):
        """Enter on a locked card: the screen moves on."""

        def __init__(self, card: QuestionCard) -> None:
            super().__init__()
            self.card = card

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.question: Any = None
        self.kind = "single"
        self.options: list[dict] = []
        self.order: list[int] = []  # shown position -> option index
        self.picked: list[int] = []  # option indexes, in the order chosen
        self.locked = False

    def compose(self) -> ComposeResult:
        yield Static("", classes="meta")
        yield Static("", classes="stem")
        for i in range(len(LETTERS)):
            with Horizontal(classes="option", id=f"option-{i}"):
                yield Static("", classes="opt-label")
                yield Static("", classes="opt-body")
        yield Input(placeholder="a number", compact=True, id="numeric")
        yield Static("", classes="hint")
        yield Static("", classes="note")

    def on_mount(self) -> None:
        for w in self.query(".option"):
            w.display = False
        self.query_one(Input).display = False

    # -- loading ---------------------------------------------------------------------------------------------

    def load(self, question: Any, *, order: list[int] | None = None, answer: Any = None, meta: str = "",
             locked: bool = False) -> None:
        """Show `question` with its options in `order`; `answer` (as the card gives it) is shown as chosen."""
        self.question = question
        self.kind = str(qattr(question, "kind", "single") or "single")
        self.options = options_of(question)
        self.order = list(order) if order is not None else list(range(len(self.options)))
        self.locked = locked
        self.picked = self._indexes(answer)
        self.query_one(".meta", Static).update(meta)
        self.query_one(".stem", Static).update(escape(str(qattr(question, "stem", ""))))
        box = self.query_one(Input)
        box.display = self.kind == "numeric"
        box.disabled = locked
        box.value = "" if answer is None or self.kind != "numeric" else str(answer)
        self.query_one(".hint", Static).update("" if locked else self._hint())
        self.query_one(".note", Static).update("")
        self._render_options()
        self.scroll_home(animate=False)
        self.refresh_bindings()

    def _indexes(self, answer: Any) -> list[int]:
        if answer is None or self.kind == "numeric":
            return []
        texts = {o["text"]: i for i, o in enumerate(self.options)}
        items = [answer] if isinstance(answer, str | int) else list(answer)
        out = []
        for a in items:
            i = texts.get(a) if isinstance(a, str) else a
            if isinstance(i, int) and 0 <= i < len(self.options) and i not in out:
                out.append(i)
        return out

    def _hint(self) -> str:
        if self.kind == "numeric":
            return numeric_hint(self.question) + " · Esc leaves the box"
        return HINTS.get(self.kind, HINTS["single"])

    def focus_answer(self) -> None:
        """Focus what takes the answer: the number box, or the card for letters."""
        if self.kind == "numeric" and not self.locked:
            self.query_one(Input).focus()
        else:
            self.focus()

    # -- the answer ------------------------------------------------------------------------------------------

    @property
    def answer(self) -> Any:
        """The answer so far; None when nothing is chosen or typed."""
        if self.kind == "numeric":
            text = self.query_one(Input).value.strip()
            return text or None
        if not self.picked:
            return None
        texts = [self.options[i]["text"] for i in self.picked]
        if self.kind == "single":
            return texts[0]
        if self.kind == "multi":
            return sorted(texts, key=lambda t: self._position(t))
        return texts

    def _position(self, text: str) -> int:
        for pos, i in enumerate(self.order):
            if self.options[i]["text"] == text:
                return pos
        return 0

    def label(self, index: int) -> str:
        """The letter an option is shown under."""
        pos = self.order.index(index)
        return LETTERS[pos] if pos < len(LETTERS) else str(pos + 1)

    def action_pick(self, position: int) -> None:
        if self.locked or self.kind == "numeric" or position >= len(self.order):
            return
        index = self.order[position]
        if self.kind == "single":
            self.picked = [index]
        elif self.kind == "multi":
            self.picked = [i for i in self.picked if i != index] if index in self.picked else [*self.picked, index]
        else:
            # order: choosing a placed option again takes it (and what follows it) back out
            self.picked = self.picked[:self.picked.index(index)] if index in self.picked else [*self.picked, index]
        self._render_options()
        self.post_message(self.Changed(self, self.answer))

    def action_undo(self) -> None:
        if not self.locked and self.kind in ("order", "multi") and self.picked:
            self.picked = self.picked[:-1]
            self._render_options()
            self.post_message(self.Changed(self, self.answer))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("pick", "undo"):
            return not self.locked and self.kind != "numeric"
        # One Enter key, two meanings: commit the answer, or (once it is graded) move on.
        if action == "commit":
            return not self.locked
        if action == "proceed":
            return self.locked
        return True

    def action_proceed(self) -> None:
        self.post_message(self.Proceed(self))

    def action_commit(self) -> None:
        if self.locked:
            self.post_message(self.Proceed(self))
            return
        answer = self.answer
        if answer is None:
            self.app.bell()
            self.notify("Choose an answer first (" + self._hint() + ").", severity="warning", timeout=3)
            return
        if self.kind == "order" and len(self.picked) != len(self.options):
            self.notify("Put every option in order first.", severity="warning", timeout=3)
            return
        self.post_message(self.Committed(self, answer))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not self.locked:
            self.post_message(self.Changed(self, self.answer))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.locked:
            return
        from study.quiz.grade import AnswerError, parse_number

        try:
            parse_number(event.value)
        except AnswerError as err:
            self.notify(f"{err}: {numeric_hint(self.question)}", severity="warning", timeout=4)
            return
        self.post_message(self.Committed(self, event.value.strip()))

    def on_click(self, event) -> None:
        widget = event.widget
        while widget is not None and widget is not self and not widget.has_class("option"):
            widget = widget.parent
        if widget is not None and widget is not self and widget.id:
            self.focus()
            self.action_pick(int(widget.id.split("-")[1]))

    # -- showing ---------------------------------------------------------------------------------------------

    def _render_options(self, verdicts: dict[int, tuple[bool, bool, str]] | None = None) -> None:
        """Each option's line; with `verdicts` (index -> correct, chosen, why) the marked, explained form."""
        shown = self.kind != "numeric" or verdicts is not None
        for pos in range(len(LETTERS)):
            w = self.query_one(f"#option-{pos}")
            if not shown or pos >= len(self.order):
                w.display = False
                continue
            index = self.order[pos]
            opt = self.options[index]
            w.display = True
            w.set_class(index in self.picked and verdicts is None, "-chosen")
            letter = LETTERS[pos]
            text = escape(opt["text"])
            label = w.query_one(".opt-label", Static)
            body = w.query_one(".opt-body", Static)
            if verdicts is None:
                label.update(f"{escape(self._marker(index))} [b]{letter}[/]")
                body.update(text)
                continue
            correct, chosen, why = verdicts.get(index, (opt["correct"], index in self.picked, opt["why"]))
            if correct:
                mark = "[b $success]✓[/]"
            elif chosen:
                mark = "[b $error]✗[/]"
            else:
                mark = "[dim]·[/]"
            mine = " [b](yours)[/]" if chosen else ""
            tail = f"\n[dim]{escape(why)}[/]" if why else ""
            label.update(f"{mark}  [b]{letter}[/]")
            body.update(f"{text}{mine}{tail}")

    def _marker(self, index: int) -> str:
        if self.kind == "single":
            return "(•)" if index in self.picked else "( )"
        if self.kind == "multi":
            return "[x]" if index in self.picked else "[ ]"
        if self.kind == "order":
            return f"[{self.picked.index(index) + 1}]" if index in self.picked else "[ ]"
        return "   "

    def reveal(self, verdicts: dict[int, tuple[bool, bool, str]] | None = None, note: str = "") -> None:
        """Lock the card and explain every option: `verdicts` maps option index -> (correct, chosen, why);
        without it, the options' own marks and the answer on the card are used."""
        self.locked = True
        box = self.query_one(Input)
        box.disabled = True
        if self.kind == "numeric":
            # The number typed moves into the note; the options above now explain the values.
            typed = box.value.strip()
            box.display = False
            note = (f"You typed [b]{escape(typed)}[/]." if typed else "No number was typed.") + (
                "\n" + note if note else "")
        self.query_one(".hint", Static).update("")
        self._render_options(verdicts or {})
        self.query_one(".note", Static).update(note)
        self.refresh_bindings()
        if self.kind == "numeric":
            self.focus()

    def set_note(self, note: str) -> None:
        self.query_one(".note", Static).update(note)

    @property
    def rules(self) -> tuple[str, ...]:
        return rules_of(self.question)
