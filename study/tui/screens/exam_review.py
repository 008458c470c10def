"""A submitted exam: the score by section and by rule, and every item to review with each option explained;
a simulation item's scenario opens as a lab to replay it."""

from __future__ import annotations

import textwrap
from typing import Any

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from study.learning.exam import verdict
from study.tui.screens.practice import open_watch, right_answer_text, watchable
from study.tui.widgets.question_card import QuestionCard, verdicts_for


def _pct(tally) -> str:
    return f"{tally.fraction:.0%}"


def _rules_table() -> dict:
    try:
        from study.content import load_rules

        return load_rules().rules
    except Exception:  # the score still shows without titles
        return {}


def _section_title(section: str) -> str:
    try:
        from study.content import section_title

        return section_title(section)
    except Exception:
        return ""


def score_tables(result, rules: dict, recall: dict | None = None) -> tuple[Table, Table]:
    """The score by section (with each section's chance of recall at the next review, from all practice, when
    `recall` gives it) and by rule."""
    by_section = Table(title="By section", title_justify="left", expand=True, box=None, pad_edge=False)
    by_section.add_column("section", no_wrap=True)
    by_section.add_column("title", ratio=1, overflow="ellipsis", no_wrap=True)
    by_section.add_column("right", justify="right", no_wrap=True)
    by_section.add_column("", justify="right", no_wrap=True)
    if recall is not None:
        by_section.add_column("recall", justify="right", no_wrap=True)
    for section, tally in result.by_section.items():
        row = [section, _section_title(section), f"{tally.correct}/{tally.total}", _pct(tally)]
        if recall is not None:
            row.append(f"{recall[section].mastery:.0%}" if section in recall else "")
        by_section.add_row(*row)
    by_rule = Table(title="By rule", title_justify="left", expand=True, box=None, pad_edge=False)
    by_rule.add_column("rule", no_wrap=True)
    by_rule.add_column("title", ratio=1, overflow="ellipsis", no_wrap=True)
    by_rule.add_column("right", justify="right", no_wrap=True)
    by_rule.add_column("", justify="right", no_wrap=True)
    # Weakest rules first: what to practise next.
    for rule, tally in sorted(result.by_rule.items(), key=lambda kv: (kv[1].fraction, kv[0])):
        title = str((rules.get(rule) or {}).get("title", ""))
        by_rule.add_row(rule, title, f"{tally.correct}/{tally.total}", _pct(tally))
    return by_section, by_rule


def item_mark(item) -> str:
    if item.correct:
        return "✓"
    return "✗" if item.answered else "—"


class ExamReviewScreen(Screen):
    DEFAULT_CSS = """
    ExamReviewScreen #review-tabs { height: 1fr; }
    ExamReviewScreen #review-tabs TabPane { padding: 0; height: 1fr; }
    ExamReviewScreen #review-score-scroll { padding: 0 1; }
    ExamReviewScreen #review-summary, ExamReviewScreen #review-by-section { height: auto; margin: 0 0 1 0; }
    ExamReviewScreen #review-items { height: 1fr; }
    """
    BINDINGS = [
        Binding("1", "tab('score')", "Score"),
        Binding("2", "tab('items')", "Items"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, exam_id: int, result: Any = None) -> None:
        super().__init__()
        self.exam_id = exam_id
        self.result = result

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="λ")
        with TabbedContent(initial="score", id="review-tabs"):
            with TabPane("1 Score", id="score"):
                with VerticalScroll(id="review-score-scroll"):
                    yield Static("", id="review-summary")
                    yield Static("", id="review-by-section")
                    yield Static("", id="review-by-rule")
            with TabPane("2 Items", id="items"):
                yield OptionList(id="review-items")
        yield Footer()

    def on_mount(self) -> None:
        from study.learning.exam import load_result

        if self.result is None:
            self.result = load_result(self.app.store, self.exam_id)
        result = self.result
        s = result.summary
        self.title = f"Exam #{s.id}"
        self.sub_title = s.started.astimezone().strftime("%Y-%m-%d %H:%M")
        if s.finished is None:
            self.query_one("#review-summary", Static).update("This attempt was not submitted: resume it from Exam.")
            return
        took = (s.finished - s.started).total_seconds() / 60
        late = " [b $warning]Time ran out.[/]" if s.timed_out else ""
        self.query_one("#review-summary", Static).update(
            f"[b]Score {result.correct}/{result.total} ({result.score:.0%}) · scaled {verdict(result.score)}[/] in {took:.0f} of "
            f"{s.minutes:g} minutes.{late}\n[dim]2 lists every item: ⏎ opens one with every option explained.[/]\n")
        rules = _rules_table()
        try:
            recall = self.app.store.recall_by_section()
        except Exception:  # the score still shows without it
            recall = None
        by_section, by_rule = score_tables(result, rules, recall)
        self.query_one("#review-by-section", Static).update(by_section)
        self.query_one("#review-by-rule", Static).update(by_rule)
        ol = self.query_one("#review-items", OptionList)
        for item in result.items:
            q = item.question
            flag = " ⚑" if item.flagged else ""
            head = f"{item_mark(item)} {item.idx + 1:>2}. §{q.get('section', '')}{flag}  "
            # One line per item: the stem shortened to the width there is.
            stem = textwrap.shorten(" ".join(str(q.get("stem", "")).split()),
                                    width=max(20, self.app.size.width - len(head) - 6), placeholder="…")
            ol.add_option(Option(head + stem, id=str(item.idx)))
        self.query_one("#review-score-scroll").focus()

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        if tab == "items":
            self.query_one("#review-items").focus()
        else:
            self.query_one("#review-score-scroll").focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None and self.result is not None:
            self.app.push_screen(ExamItemScreen(self.result, int(event.option.id)))

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.go_home()


class ExamItemScreen(Screen):
    """One submitted item: the question as it was shown, the answer given, every option's why."""

    BINDINGS = [
        Binding("n", "move(1)", "Next item"),
        Binding("p", "move(-1)", "Previous item"),
        Binding("w", "watch", "Watch it"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, result: Any, idx: int) -> None:
        super().__init__()
        self.result = result
        self.idx = idx

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="λ")
        yield QuestionCard(id="review-card")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Exam #{self.result.summary.id}"
        self.show()

    @property
    def item(self):
        return self.result.items[self.idx]

    def show(self) -> None:
        item = self.item
        q = item.question
        card = self.query_one(QuestionCard)
        verdict = "[b $success]✓ right[/]" if item.correct else (
            "[b $error]✗ wrong[/]" if item.answered else "[b $error]— not answered[/]")
        flag = " · ⚑ flagged" if item.flagged else ""
        card.load(q, answer=item.answer, locked=True,
                  meta=f"[b]Item {item.idx + 1} of {len(self.result.items)}[/] · §{escape(str(q.get('section', '')))} · "
                       f"{verdict}{flag} · {item.seconds:.0f} s")
        lines = []
        if not item.correct:
            lines.append(f"The answer: [b]{right_answer_text(q, card)}[/]")
        explanation = q.get("explanation")
        if explanation and str(explanation) not in {o["why"] for o in card.options}:
            lines.append(escape(str(explanation)))
        if q.get("rules"):
            lines.append(f"[dim]Rules: {escape(', '.join(q['rules']))}[/]")
        keys = "n next · p previous"
        if watchable(q):
            keys += " · w replay it in the lab"
        lines.append(f"[dim]{keys} · Esc back[/]")
        card.reveal(verdicts_for(q, item.answer), "\n".join(lines))
        card.focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "watch":
            return watchable(self.item.question)
        return True

    def on_question_card_proceed(self, message: QuestionCard.Proceed) -> None:
        message.stop()
        self.action_move(1)

    def action_move(self, delta: int) -> None:
        target = self.idx + delta
        if 0 <= target < len(self.result.items):
            self.idx = target
            self.show()

    def action_watch(self) -> None:
        open_watch(self, self.item.question)

    def action_back(self) -> None:
        self.app.pop_screen()
