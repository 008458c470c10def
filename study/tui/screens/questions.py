"""A section's questions from the bank, one at a time, with the why of every option after you answer.
A quick check that records nothing; Practice (p on the map) schedules the rules, Exam times a paper."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option


class QuestionsScreen(Screen):
    BINDINGS = [
        Binding("n", "next(1)", "Next"),
        Binding("p", "next(-1)", "Previous"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, section: str) -> None:
        super().__init__()
        self.section = section
        self.items: list[dict] = []
        self.index = 0
        self.answered: dict[int, int] = {}

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="λ")
        with VerticalScroll(id="question-scroll"):
            yield Static("reading the question bank…", id="question-stem")
            yield OptionList(id="question-options")
            yield Static("", id="question-feedback")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Questions · {self.section}"
        self.sub_title = "a quick check, not recorded · p on the map practises with spaced repetition"
        self.load()

    def load(self) -> None:
        self.run_worker(self._load, thread=True, exclusive=True)

    def _load(self) -> None:
        from study.tui.catalog import load_questions

        items = load_questions(self.section).get(self.section, [])
        self.app.call_from_thread(self._loaded, items)

    def _loaded(self, items: list[dict]) -> None:
        self.items = items
        self.show()

    def show(self) -> None:
        stem = self.query_one("#question-stem", Static)
        ol = self.query_one(OptionList)
        feedback = self.query_one("#question-feedback", Static)
        ol.clear_options()
        feedback.update("")
        if not self.items:
            stem.update(f"No questions for {self.section} in the bank yet.")
            return
        q = self.items[self.index]
        multi = " [dim](choose all that apply: this view checks one at a time)[/]" if q.get("kind") == "multi" else ""
        stem.update(f"[b]{self.index + 1}/{len(self.items)}[/]  {escape(str(q['stem']))}{multi}")
        for i, opt in enumerate(q["options"]):
            ol.add_option(Option(f"{chr(65 + i)}. {escape(str(opt.get('text', '')))}", id=str(i)))
        ol.highlighted = 0
        ol.focus()
        if self.index in self.answered:
            self._feedback(self.answered[self.index])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.answered[self.index] = event.option_index
        self._feedback(event.option_index)

    def _feedback(self, chosen: int) -> None:
        q = self.items[self.index]
        lines = []
        right = bool(q["options"][chosen].get("correct"))
        lines.append("[b $success]✓ Right.[/]" if right else "[b $error]✗ Not quite.[/]")
        for i, opt in enumerate(q["options"]):
            mark = "[$success]✓[/]" if opt.get("correct") else "[$error]✗[/]"
            me = " [b](your answer)[/]" if i == chosen else ""
            lines.append(f"{mark} {chr(65 + i)}.{me} {escape(str(opt.get('why', '')))}")
        lines.append("[dim]n next · p previous · Esc back[/]")
        self.query_one("#question-feedback", Static).update("\n".join(lines))

    def action_next(self, delta: int) -> None:
        if self.items:
            self.index = (self.index + delta) % len(self.items)
            self.show()

    def action_back(self) -> None:
        self.app.pop_screen()
