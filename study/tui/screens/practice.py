"""Practice: due rules first, then new ones, look-alikes interleaved; a fresh question per rule, every option
explained after the answer, and "watch it" to open a simulation question's scenario as a lab."""

from __future__ import annotations

import atexit
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from study.learning.practice import due_in_words
from study.quiz.protocol import qattr
from study.tui.widgets.question_card import QuestionCard, shown_order, verdicts_for

REASONS = {"due": "due for review", "new": "a new rule", "learning": "a learning step, brought forward"}
_watch_dir: Path | None = None


# -- watching a question's scenario ------------------------------------------------------------------------------

def scenario_file(question: Any) -> Path:
    """The file to open as a lab for a simulation question: a lab's own file, or the generated scenario written
    to a temporary YAML file. ValueError says why there is nothing to watch."""
    scenario = qattr(question, "scenario")
    if not isinstance(scenario, dict):
        raise ValueError("This question has no scenario to watch.")
    if "file" in scenario:
        from study import paths

        path = Path(str(scenario["file"]))
        if not path.is_absolute():
            path = paths.content_dir().parent / path
        if not path.is_file():
            raise ValueError(f"The lab {scenario['file']} is not there any more.")
        return path
    if "trigger" not in scenario:
        raise ValueError("A pricing question: the bill is arithmetic, there is no run to watch.")
    import yaml

    global _watch_dir
    if _watch_dir is None:
        _watch_dir = Path(tempfile.mkdtemp(prefix="study-watch-"))
        atexit.register(shutil.rmtree, _watch_dir, True)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(qattr(question, "id", "question")))[:120] or "question"
    path = _watch_dir / f"{name}.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def watchable(question: Any) -> bool:
    scenario = qattr(question, "scenario")
    return isinstance(scenario, dict) and ("file" in scenario or "trigger" in scenario)


def open_watch(screen: Screen, question: Any) -> None:
    """Open the question's scenario as a lab, straight on its Watch tab."""
    try:
        path = scenario_file(question)
    except (ValueError, OSError) as err:
        screen.notify(str(err), severity="warning")
        return
    from study.tui.screens.lab import LabScreen

    app = screen.app
    # The answer is in: the lab opens straight on the run once loaded (1 Predict is one key away).
    app.call_later(app.push_screen, LabScreen(path, clock=getattr(app, "clock", None), answered=True))


def rule_name(rules: dict, rule_id: str) -> str:
    title = (rules.get(rule_id) or {}).get("title")
    return f"{rule_id} ({title})" if title else rule_id


def right_answer_text(question: Any, card: QuestionCard) -> str:
    """The right answer as this learner saw it: letters and texts, or the number."""
    kind = qattr(question, "kind", "single")
    answer = qattr(question, "answer")
    if kind == "numeric":
        return escape(str(answer.get("text", answer.get("value")))) if isinstance(answer, dict) else escape(str(answer))
    opts = card.options
    if kind == "order" and isinstance(answer, list | tuple):
        index = {o["text"]: i for i, o in enumerate(opts)}
        return ", ".join(card.label(index[t]) for t in answer if t in index)
    return ", ".join(card.label(i) for i, o in enumerate(opts) if o["correct"])


# -- the screen ----------------------------------------------------------------------------------------------------

class PracticeScreen(Screen):
    """One sitting of practice over the app's progress store."""

    BINDINGS = [
        Binding("n", "next", "Next"),
        Binding("w", "watch", "Watch it"),
        Binding("escape", "back", "Back"),
    ]

    class Prepared(Message):
        def __init__(self, session: Any, rules: dict) -> None:
            super().__init__()
            self.session = session
            self.rules = rules

    class ItemReady(Message):
        def __init__(self, item: Any) -> None:
            super().__init__()
            self.item = item

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, *, sections: list[str] | None = None, seed: int | None = None, provider=None,
                 rules: dict | None = None) -> None:
        super().__init__()
        self.sections = sections
        self.seed = seed
        self.provider = provider
        self.rules: dict = rules or {}
        self.session = None
        self.item = None
        self.feedback = None
        self.done = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="λ")
        yield Static("preparing questions…", id="practice-status")
        yield QuestionCard(id="practice-card")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Practice"
        self.sub_title = "due rules first, then new ones"
        self.query_one(QuestionCard).display = False
        self.prepare()

    # -- workers: building the session and drawing items may generate questions (seconds for a new seed) --------

    @work(thread=True, exclusive=True, group="practice")
    def prepare(self) -> None:
        try:
            from study.learning.practice import PracticeSession
            from study.quiz import all_questions
            from study.quiz.pool import generated_provider

            rules = self.rules
            if not rules:
                from study.content import load_rules

                rules = load_rules().rules
            provider = self.provider or generated_provider(rules, source=all_questions)
            session = PracticeSession(self.app.store, provider, rules=rules, seed=self.seed, sections=self.sections)
            item = session.next_item()
        except Exception as err:  # content or database trouble must not take the app down
            self.post_message(self.Failed(f"{type(err).__name__}: {err}"))
            return
        self.post_message(self.Prepared(session, rules))
        self.post_message(self.ItemReady(item))

    @work(thread=True, exclusive=True, group="practice")
    def draw(self) -> None:
        try:
            item = self.session.next_item()
        except Exception as err:
            self.post_message(self.Failed(f"{type(err).__name__}: {err}"))
            return
        self.post_message(self.ItemReady(item))

    def on_practice_screen_failed(self, message: Failed) -> None:
        self.query_one("#practice-status", Static).update(f"[b $error]Practice cannot start.[/] {escape(message.error)}")

    def on_practice_screen_prepared(self, message: Prepared) -> None:
        self.session = message.session
        self.rules = message.rules

    def on_practice_screen_item_ready(self, message: ItemReady) -> None:
        self.item = message.item
        self.feedback = None
        card = self.query_one(QuestionCard)
        if message.item is None:
            self._finished()
            return
        item = message.item
        # The section, not the rule: naming the rule under test would answer many items (the rule is named
        # in the feedback, after the answer).
        reason = REASONS.get(item.reason, item.reason)
        if item.lookalike_of:
            reason += " · a look-alike of a rule you met: tell them apart"
        meta = f"[b]{item.number}.[/] {reason} · §{escape(str(qattr(item.question, 'section', '')))}"
        card.display = True
        card.load(item.question, order=shown_order(item.question, f"{self.session.seed}:{item.number}:{item.rule_id}"),
                  meta=meta)
        card.focus_answer()
        self._status()
        self.refresh_bindings()

    def _status(self) -> None:
        if self.session is None:
            return
        left = self.session.remaining()
        done = self.session.answered
        right = self.session.correct
        self.query_one("#practice-status", Static).update(
            f"due {left.due} · new {left.new} · learning {left.learning} · answered {done}"
            + (f" ({right} right)" if done else ""))

    def _finished(self) -> None:
        self.done = True
        card = self.query_one(QuestionCard)
        card.display = False
        session = self.session
        store = self.app.store
        cards = store.cards()
        upcoming = min((c.due for c in cards.values()), default=None)
        lines = ["[b]Nothing more to practise now.[/]"]
        if session is not None and session.answered:
            lines.append(f"This sitting: {session.answered} answered, {session.correct} right.")
        if upcoming is not None:
            lines.append(f"The next review falls due {due_in_words(upcoming, store.now())}.")
        lines.append("[dim]s on the map shows your stats · Esc back[/]")
        self.query_one("#practice-status", Static).update("\n".join(lines))
        self.refresh_bindings()

    # -- answering ---------------------------------------------------------------------------------------------

    def on_question_card_committed(self, message: QuestionCard.Committed) -> None:
        message.stop()
        if self.item is None or self.feedback is not None or self.session is None:
            return
        card = message.card
        try:
            fb = self.session.answer(self.item, message.answer)
        except (ValueError, sqlite3.Error) as err:  # a full disk, a locked file: say so, keep the answer on screen
            self.notify(f"The answer could not be saved: {err}", severity="error")
            return
        self.feedback = fb
        verdicts = verdicts_for(self.item.question, message.answer)
        card.reveal(verdicts, self._note(fb, card))
        self._status()
        self.refresh_bindings()

    def _note(self, fb, card: QuestionCard) -> str:
        question = self.item.question
        now = self.app.store.now()
        lines = []
        if fb.correct:
            lines.append(f"[b $success]✓ Right.[/] [dim](rated {fb.rating.name})[/]")
        else:
            lines.append(f"[b $error]✗ Not quite.[/] The answer: [b]{right_answer_text(question, card)}[/]")
        explanation = qattr(question, "explanation")
        whys = {o["why"] for o in card.options}
        if explanation and str(explanation) not in whys:
            lines.append(escape(str(explanation)))
        for rule in fb.rules:
            lines.append(f"[dim]· {escape(rule_name(self.rules, rule))}: next review {due_in_words(fb.due.get(rule), now)}[/]")
        keys = "n or ⏎ next"
        if watchable(question):
            keys += " · w watch it in the lab"
        lines.append(f"[dim]{keys} · Esc back[/]")
        return "\n".join(lines)

    def on_question_card_proceed(self, message: QuestionCard.Proceed) -> None:
        message.stop()
        self.action_next()

    # -- actions -----------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next":
            return self.feedback is not None
        if action == "watch":
            return self.feedback is not None and self.item is not None and watchable(self.item.question)
        return True

    def action_next(self) -> None:
        if self.session is None or self.feedback is None or self.done:
            return
        self.feedback = None
        self.query_one("#practice-status", Static).update("drawing the next question…")
        self.refresh_bindings()
        self.draw()

    def action_watch(self) -> None:
        if self.item is not None and self.feedback is not None:
            open_watch(self, self.item.question)

    def action_back(self) -> None:
        card = self.query_one(QuestionCard)
        if self.focused is not None and self.focused is not card and card in self.focused.ancestors:
            card.focus()  # Esc leaves the number box first, as in a lab
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.go_home()
