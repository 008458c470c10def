"""Exam mode: N questions in T minutes across the sections, a countdown, a navigator, flags, no feedback until
submitted; time running out submits. The start page lists past attempts for review and resumes an open one."""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from study.learning.exam import verdict
from study.tui.widgets.exam_navigator import ExamNavigator
from study.tui.widgets.question_card import QuestionCard

DEFAULT_N = 20
DEFAULT_MINUTES = 30
MAX_N = 100
MAX_MINUTES = 240
WARN_SECONDS = 300  # the countdown turns to a warning colour for the last five minutes


def clock_text(left: timedelta) -> str:
    seconds = max(0, int(left.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


def attempt_line(summary) -> str:
    started = summary.started.astimezone().strftime("%Y-%m-%d %H:%M")
    if summary.finished is None:
        return f"#{summary.id}  {started}  {summary.n} questions · not submitted (resume)"
    score = summary.score or 0.0
    late = " · time ran out" if summary.timed_out else ""
    return (f"#{summary.id}  {started}  {summary.correct}/{summary.n} ({score:.0%}, {verdict(score)}) · "
            f"a {summary.minutes:g}-minute exam{late}")


def parse_sections(text: str) -> list[str] | None:
    """'all' (or nothing) -> None; '6, 12 18.13' -> ['18.6', '18.12', '18.13']; ValueError with a clear message."""
    from study.content import normalise_section

    words = [w for w in text.replace(",", " ").split() if w]
    if not words or [w.lower() for w in words] == ["all"]:
        return None
    try:
        return sorted({normalise_section(w) for w in words}, key=lambda s: int(s.split(".")[1]))
    except ValueError as err:
        raise ValueError(f"Sections: {str(err).removeprefix('--section ')}") from None


class ConfirmSubmit(ModalScreen[bool]):
    """Submit with questions unanswered or flagged? y / n."""

    DEFAULT_CSS = """
    ConfirmSubmit { align: center middle; }
    ConfirmSubmit > Static { width: 60; height: auto; border: round $warning; background: $surface; padding: 1 2; }
    """
    BINDINGS = [Binding("y", "answer(True)", "Submit"), Binding("n", "answer(False)", "Keep going"),
                Binding("escape", "answer(False)", "Keep going"), Binding("question_mark", "app.help", "Help")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(self.text)

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class ExamScreen(Screen):
    DEFAULT_CSS = """
    ExamScreen #exam-setup { padding: 0 1; }
    ExamScreen #exam-intro { height: auto; margin: 1 0; }
    ExamScreen #exam-fields { height: 1; width: 1fr; }
    ExamScreen #exam-fields > Label { width: auto; }
    ExamScreen #exam-fields > Input { width: 8; background: $boost; }
    ExamScreen #exam-fields > #exam-sections { width: 20; }
    ExamScreen #exam-hint { height: auto; margin: 1 0; }
    ExamScreen #exam-resume { height: auto; margin: 0 0 1 0; }
    ExamScreen #exam-history-heading { height: auto; }
    ExamScreen #exam-history { height: auto; max-height: 12; }
    ExamScreen #exam-run { height: 1fr; }
    ExamScreen #exam-status { height: 1; padding: 0 1; background: $panel; }
    """
    BINDINGS = [
        Binding("n", "move(1)", "Next"),
        Binding("p", "move(-1)", "Previous"),
        Binding("f", "flag", "Flag"),
        Binding("g", "next_open", "Next unanswered/flagged"),
        Binding("s", "submit", "Submit"),
        Binding("r", "resume", "Resume"),
        Binding("escape", "back", "Back"),
    ]

    class Started(Message):
        def __init__(self, session: Any) -> None:
            super().__init__()
            self.session = session

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, *, n: int | None = None, minutes: float | None = None, seed: int | None = None,
                 questions: list | None = None) -> None:
        super().__init__()
        self.n = n or DEFAULT_N
        self.minutes = minutes or DEFAULT_MINUTES
        self.seed = seed
        self.questions = questions  # tests may give the pool; by default the bank and the generated questions
        self.session = None
        self.open_attempt = None  # an ExamSummary not yet submitted
        self.timer = None
        self.starting = False
        self.prepared = threading.Event()  # set once the question pool for the next exam is ready
        self.pool: tuple[int, list] | None = None  # (seed, questions) prepared while the start page shows
        self.sections: list[str] | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="λ")
        with VerticalScroll(id="exam-setup"):
            yield Static(
                "[b]A practice exam.[/] Questions drawn across the sections; no feedback until you submit; "
                "a multiple-answer question counts only when every choice is right. Time running out submits. "
                "The result is also given on the real exam's scale: 100 to 1000, passing at 720.",
                id="exam-intro")
            with Horizontal(id="exam-fields"):
                yield Label("Questions ")
                yield Input(str(self.n), id="exam-n", compact=True, type="integer")
                yield Label("  Minutes ")
                yield Input(f"{self.minutes:g}", id="exam-minutes", compact=True, type="number")
                yield Label("  Sections ")
                yield Input("all", id="exam-sections", compact=True,
                            tooltip="all, or section numbers such as 6, 12, 18.13")
            yield Static("[dim]⏎ starts · Tab moves · past attempts below (⏎ opens one)[/]", id="exam-hint")
            yield Static("", id="exam-resume")
            yield Static("[b]Past attempts[/]", id="exam-history-heading")
            yield OptionList(id="exam-history")
        with Vertical(id="exam-run"):
            yield Static("", id="exam-status")
            yield ExamNavigator(id="exam-nav")
            yield QuestionCard(id="exam-card")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Exam"
        self.sub_title = "N questions in T minutes"
        self.query_one("#exam-run").display = False
        self._prepare()
        self._fill_history()
        if self.open_attempt is not None:
            history = self.query_one("#exam-history", OptionList)
            history.highlighted = history.get_option_index(str(self.open_attempt.id))
            history.focus()  # r (or Enter) resumes it; Tab reaches the fields for a new exam
        else:
            self.query_one("#exam-n", Input).focus()

    # -- the start page ----------------------------------------------------------------------------------------

    def _fill_history(self) -> None:
        history = self.app.store.exam_history()
        self.open_attempt = next((h for h in history if h.finished is None), None)
        ol = self.query_one("#exam-history", OptionList)
        ol.clear_options()
        for h in history[:50]:
            ol.add_option(Option(attempt_line(h), id=str(h.id)))
        ol.display = bool(history)
        self.query_one("#exam-history-heading").display = bool(history)
        resume = self.query_one("#exam-resume", Static)
        if self.open_attempt is not None:
            resume.update(f"[b $warning]Attempt #{self.open_attempt.id} was not submitted:[/] r resumes it "
                          "(if its time has run out, it is submitted as it stands).")
        else:
            resume.update("")
        resume.display = self.open_attempt is not None
        self.refresh_bindings()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "exam-history" or event.option.id is None:
            return
        exam_id = int(event.option.id)
        summary = next((h for h in self.app.store.exam_history() if h.id == exam_id), None)
        if summary is not None and summary.finished is None:
            self.open_attempt = summary
            self.action_resume()
            return
        from study.tui.screens.exam_review import ExamReviewScreen

        self.app.push_screen(ExamReviewScreen(exam_id))

    @work(thread=True, exclusive=True, group="exam-prepare")
    def _prepare(self) -> None:
        """Draw the question pool while the learner reads the start page, so that Start does not wait for it."""
        try:
            seed = self.seed if self.seed is not None else int(self.app.store.now().timestamp())
            questions = self.questions
            if questions is None:
                from study.quiz import all_questions

                questions = all_questions(seed=seed)
            self.pool = (seed, list(questions))
        finally:
            self.prepared.set()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("exam-n", "exam-minutes", "exam-sections"):
            event.stop()
            self.start()

    def _read_settings(self) -> tuple[int, float] | None:
        try:
            n = int(self.query_one("#exam-n", Input).value.strip())
            minutes = float(self.query_one("#exam-minutes", Input).value.strip())
        except ValueError:
            self.notify("Questions: a whole number; minutes: a number.", severity="warning")
            return None
        if not 1 <= n <= MAX_N or not 0 < minutes <= MAX_MINUTES:
            self.notify(f"Questions: 1 to {MAX_N}; minutes: more than 0, at most {MAX_MINUTES}.", severity="warning")
            return None
        try:
            self.sections = parse_sections(self.query_one("#exam-sections", Input).value)
        except ValueError as err:
            self.notify(str(err), severity="warning")
            return None
        return n, minutes

    def start(self) -> None:
        if self.session is not None or self.starting:
            return
        settings = self._read_settings()
        if settings is None:
            return
        self.n, self.minutes = settings
        self.starting = True
        self.query_one("#exam-hint", Static).update("drawing the questions…")
        self._start_worker(self.n, self.minutes)

    @work(thread=True, exclusive=True, group="exam")
    def _start_worker(self, n: int, minutes: float) -> None:
        from study.learning.exam import ExamSession

        store = self.app.store
        try:
            self.prepared.wait()  # prepared on mount; only a very quick Start waits for it
            if self.pool is None:
                raise RuntimeError("the question pool could not be prepared")
            seed, questions = self.pool
            session = ExamSession.start(store, questions, n=n, minutes=minutes, seed=seed, sections=self.sections)
        except Exception as err:  # content or database trouble: say so, keep the app
            self.post_message(self.Failed(f"{type(err).__name__}: {err}"))
            return
        self.post_message(self.Started(session))

    def on_exam_screen_failed(self, message: Failed) -> None:
        self.starting = False
        self.query_one("#exam-hint", Static).update(f"[b $error]The exam cannot start.[/] {escape(message.error)}")

    def on_exam_screen_started(self, message: Started) -> None:
        self.starting = False
        self._run(message.session)

    def action_resume(self) -> None:
        if self.session is not None or self.open_attempt is None:
            return
        from study.learning.exam import ExamClosed, ExamSession

        try:
            session = ExamSession.resume(self.app.store, self.open_attempt.id)
        except ExamClosed as err:
            self.notify(str(err))
            self._fill_history()
            return
        self._run(session)

    # -- running -----------------------------------------------------------------------------------------------

    def _run(self, session) -> None:
        self.session = session
        self.query_one("#exam-setup").display = False
        self.query_one("#exam-run").display = True
        self.sub_title = f"{len(session.items)} questions in {session.summary.minutes:g} minutes"
        if session.expired:
            self.notify("Time ran out while you were away: the attempt is submitted as it stands.")
            self._submit()
            return
        self.timer = self.set_interval(1.0, self.tick)
        self._show(session.current)
        self.refresh_bindings()

    def tick(self) -> None:
        """Once a second: the countdown, and submission when time is up (tests call it after moving the clock)."""
        session = self.session
        if session is None or session.submitted:
            return
        if session.expired:
            self.notify("Time is up: the exam was submitted.", severity="warning", timeout=8)
            self._submit()
            return
        self._status()

    def _status(self) -> None:
        session = self.session
        left = session.remaining()
        item = session.items[session.current]
        answered = sum(1 for it in session.items if it.answered)
        flagged = len(session.flagged())
        colour = "$error" if left.total_seconds() <= WARN_SECONDS else "$accent"
        flag = " · [b $warning]⚑ flagged[/]" if item.flagged else ""
        self.query_one("#exam-status", Static).update(
            f"[b {colour}]⏱ {clock_text(left)}[/] left · question [b]{session.current + 1}[/] of "
            f"{len(session.items)}{flag} · answered {answered} · flagged {flagged}")
        self.query_one(ExamNavigator).show(session.navigator())

    def _show(self, idx: int) -> None:
        session = self.session
        item = session.goto(idx)
        card = self.query_one(QuestionCard)
        section = item.question.get("section", "")
        card.load(item.question, answer=item.answer,
                  meta=f"[b]Question {idx + 1} of {len(session.items)}[/] · §{escape(str(section))}")
        card.set_note("[dim]n next · p previous · f flag · g next unanswered or flagged · s submit[/]")
        card.focus_answer()
        self._status()

    def on_question_card_changed(self, message: QuestionCard.Changed) -> None:
        message.stop()
        self._save(message.answer)

    def on_question_card_committed(self, message: QuestionCard.Committed) -> None:
        message.stop()
        if self._save(message.answer) and self.session is not None:
            if self.session.current + 1 < len(self.session.items):
                self._show(self.session.current + 1)
            else:
                self.notify("That was the last question: s submits (g finds any left open).")

    def _save(self, answer: Any) -> bool:
        session = self.session
        if session is None or session.submitted:
            return False
        from study.learning.exam import ExamClosed

        try:
            session.answer(answer)
        except ExamClosed:
            self.tick()
            return False
        except sqlite3.Error as err:
            self.notify(f"The answer could not be saved: {err}", severity="error")
            return False
        self._status()
        return True

    def on_exam_navigator_goto(self, message: ExamNavigator.Goto) -> None:
        if self.session is not None and not self.session.submitted:
            self._show(message.idx)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        running = self.session is not None and not self.session.submitted
        if action in ("move", "flag", "next_open", "submit"):
            return running
        if action == "resume":
            return self.session is None and self.open_attempt is not None
        return True

    def action_move(self, delta: int) -> None:
        session = self.session
        if session is None or session.submitted:
            return
        target = min(max(session.current + delta, 0), len(session.items) - 1)
        if target != session.current:
            self._show(target)

    def action_flag(self) -> None:
        if self.session is None or self.session.submitted:
            return
        from study.learning.exam import ExamClosed

        try:
            self.session.toggle_flag()
        except ExamClosed:
            self.tick()
            return
        self._status()

    def action_next_open(self) -> None:
        session = self.session
        if session is None or session.submitted:
            return
        todo = sorted(set(session.unanswered()) | set(session.flagged()))
        if not todo:
            self.notify("Every question is answered and none is flagged: s submits.")
            return
        after = [i for i in todo if i > session.current]
        self._show((after or todo)[0])

    def action_submit(self) -> None:
        session = self.session
        if session is None or session.submitted:
            return
        unanswered, flagged = len(session.unanswered()), len(session.flagged())
        if unanswered or flagged:
            parts = []
            if unanswered:
                parts.append(f"{unanswered} unanswered (they count as wrong)")
            if flagged:
                parts.append(f"{flagged} flagged for review")
            text = f"[b]Submit now?[/]\n{', '.join(parts)}.\n\n[b]y[/] submit · [b]n[/] keep going"
            self.app.push_screen(ConfirmSubmit(text), lambda yes: self._submit() if yes else None)
            return
        self._submit()

    def _submit(self) -> None:
        session = self.session
        if session is None or session.submitted:
            return
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        try:
            result = session.submit()
        except sqlite3.Error as err:
            self.notify(f"The exam could not be submitted: {err}. s tries again.", severity="error")
            return
        from study.tui.screens.exam_review import ExamReviewScreen

        review = ExamReviewScreen(result.summary.id, result=result)
        app = self.app

        async def show() -> None:
            # Time may run out under the confirmation or the help: close them, then the review replaces the exam.
            while app.screen is not self and self in app.screen_stack:
                await app.pop_screen()
            await app.switch_screen(review)

        app.call_later(show)

    def action_back(self) -> None:
        card = self.query_one(QuestionCard)
        if self.focused is not None and self.focused is not card and card in self.focused.ancestors:
            card.focus()  # Esc leaves the number box first
            return
        if self.session is not None and not self.session.submitted:
            self.notify("The attempt is kept, and its clock keeps running: e then r resumes it.", timeout=6)
        if self.timer is not None:
            self.timer.stop()
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.go_home()
