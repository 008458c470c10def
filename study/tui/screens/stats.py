"""Stats: mastery per section, the grid of rule mastery, reviews due per day, exam history and accuracy by rule;
the desired retention (how sure you want to be of recalling a rule when it comes due) is set here with + and -."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from rich.table import Table
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from study.tui.screens.exam import attempt_line
from study.tui.widgets.stats_forecast import StatsForecast
from study.tui.widgets.stats_grid import StatsGrid
from study.tui.widgets.stats_mastery import StatsMastery

TABS = ("mastery", "grid", "due", "exams", "accuracy")
STEP = 0.01


@dataclass
class StatsData:
    retention: float
    mastery: dict
    states: list
    forecast: list[tuple[date, int]]
    history: list
    accuracy: dict
    rules: dict
    titles: dict[str, str]
    now: datetime
    answers: int


def gather(store) -> StatsData:
    """Everything the screen shows, read in one go (called from a worker)."""
    from study.content import SECTIONS, load_rules, section_title

    rules = load_rules().rules
    now = store.now()
    return StatsData(
        retention=store.desired_retention, mastery=store.recall_by_section(rules, now),
        states=store.rule_states(rules, now), forecast=store.forecast(now=now), history=store.exam_history(),
        accuracy=store.accuracy_by_rule(), rules=rules, titles={s: section_title(s) for s in SECTIONS}, now=now,
        answers=store.answer_count())


def accuracy_table(data: StatsData) -> Table:
    table = Table(expand=True, box=None, pad_edge=False)
    table.add_column("rule", no_wrap=True)
    table.add_column("title", ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column("right", justify="right", no_wrap=True)
    table.add_column("", justify="right", no_wrap=True)
    table.add_column("recall", justify="right", no_wrap=True)
    recall = {s.rule_id: s.retrievability for s in data.states}
    # Weakest first: the rules to work on.
    for rule, tally in sorted(data.accuracy.items(), key=lambda kv: (kv[1].fraction, -kv[1].total, kv[0])):
        title = str((data.rules.get(rule) or {}).get("title", ""))
        table.add_row(rule, title, f"{tally.correct}/{tally.total}", f"{tally.fraction:.0%}",
                      f"{recall.get(rule, 0.0):.0%}")
    return table


def code_table(rows: list) -> Table | str:
    """Coding challenges and the best graded run of each (solved first)."""
    if not rows:
        return "No coding challenges found."
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("", no_wrap=True)
    table.add_column("section", no_wrap=True)
    table.add_column("challenge")
    table.add_column("best", justify="right", no_wrap=True)
    for _cid, section, title, best in sorted(rows, key=lambda r: (not (r[3] and r[3][0]), r[3] is None)):
        mark = "✓" if best and best[0] else ("·" if best is None else "✗")
        table.add_row(mark, section, title, "not tried" if best is None else f"{best[1]}/{best[2]} checks")
    return table


class StatsScreen(Screen):
    DEFAULT_CSS = """
    StatsScreen #stats-retention { height: 1; padding: 0 1; background: $panel; }
    StatsScreen #stats-tabs { height: 1fr; }
    StatsScreen #stats-tabs TabPane { padding: 0; height: 1fr; }
    StatsScreen #stats-due-summary { height: auto; padding: 0 1; }
    StatsScreen #stats-exams-empty { height: auto; padding: 0 1; }
    StatsScreen #stats-exams { height: 1fr; }
    StatsScreen #stats-accuracy-scroll { padding: 0 1; }
    """
    BINDINGS = [
        Binding("1", "tab('mastery')", "Mastery"),
        Binding("2", "tab('grid')", "Grid"),
        Binding("3", "tab('due')", "Due"),
        Binding("4", "tab('exams')", "Exams"),
        Binding("5", "tab('accuracy')", "Accuracy"),
        Binding("6", "tab('code')", "Code"),
        Binding("plus,equals_sign", "retention(1)", "Retention +", key_display="+"),
        Binding("minus", "retention(-1)", "Retention −", key_display="-"),
        Binding("escape", "back", "Back"),
    ]

    class Loaded(Message):
        def __init__(self, data: StatsData) -> None:
            super().__init__()
            self.data = data

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.data: StatsData | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="λ")
        yield Static("reading your progress…", id="stats-retention")
        with TabbedContent(initial="mastery", id="stats-tabs"):
            with TabPane("1 Mastery", id="mastery"):
                with VerticalScroll(id="stats-mastery-scroll"):
                    yield StatsMastery(id="stats-mastery")
            with TabPane("2 Grid", id="grid"):
                with VerticalScroll(id="stats-grid-scroll"):
                    yield StatsGrid(id="stats-grid")
            with TabPane("3 Due", id="due"):
                yield Static("", id="stats-due-summary")
                yield StatsForecast(id="stats-forecast")
            with TabPane("4 Exams", id="exams"):
                yield Static("", id="stats-exams-empty")
                yield OptionList(id="stats-exams")
            with TabPane("5 Accuracy", id="accuracy"):
                with VerticalScroll(id="stats-accuracy-scroll"):
                    yield Static("", id="stats-accuracy")
            with TabPane("6 Code", id="code"):
                with VerticalScroll(id="stats-code-scroll"):
                    yield Static("", id="stats-code")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Stats"
        self.sub_title = "mastery, reviews due, exams, accuracy"
        self.load()

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self.load()  # back from an exam review or a lab: answers may have moved the numbers

    @work(thread=True, exclusive=True, group="stats")
    def load(self) -> None:
        try:
            data = gather(self.app.store)
            from study.tui.catalog import challenge_entries

            bests = self.app.store.challenge_bests()
            data.code_solved = sum(1 for b in bests.values() if b[0])  # coding challenges (study code)
            data.code_rows = [(cid, section, title, bests.get(cid)) for cid, section, title in challenge_entries()]
        except Exception as err:  # a broken rules file or database must not take the app down
            self.post_message(self.Failed(f"{type(err).__name__}: {err}"))
            return
        self.post_message(self.Loaded(data))

    def on_stats_screen_failed(self, message: Failed) -> None:
        self.query_one("#stats-retention", Static).update(f"[b $error]Stats cannot be read.[/] {message.error}")

    def on_stats_screen_loaded(self, message: Loaded) -> None:
        data = self.data = message.data
        self._retention_line()
        self.query_one(StatsMastery).show(data.mastery, data.titles)
        self.query_one(StatsGrid).show(data.states, data.now)
        due_today = data.forecast[0][1] if data.forecast else 0
        week = sum(n for _d, n in data.forecast[:7])
        learning = sum(1 for s in data.states if s.state in ("learning", "relearning"))
        self.query_one("#stats-due-summary", Static).update(
            f"due today (with anything overdue) [b]{due_today}[/] · next 7 days [b]{week}[/] · "
            f"in learning steps {learning}")
        self.query_one(StatsForecast).show(data.forecast)
        ol = self.query_one("#stats-exams", OptionList)
        highlighted = ol.highlighted
        ol.clear_options()
        for h in data.history:
            ol.add_option(Option(attempt_line(h), id=str(h.id)))
        if data.history and highlighted is not None:
            ol.highlighted = min(highlighted, len(data.history) - 1)
        empty = self.query_one("#stats-exams-empty", Static)
        empty.update("No exams yet: e on the map starts one.")
        empty.display = not data.history
        self.query_one("#stats-code", Static).update(code_table(getattr(data, "code_rows", [])))
        accuracy = self.query_one("#stats-accuracy", Static)
        accuracy.update(accuracy_table(data) if data.accuracy else "No answers yet: p on the map starts practice.")

    def _retention_line(self) -> None:
        data = self.data
        if data is None:
            return
        self.query_one("#stats-retention", Static).update(
            f"desired retention [b]{data.retention:.0%}[/] [dim](+/- changes it, 70–99%)[/] · "
            f"{data.answers} answers · {len(data.history)} exams · "
            f"{getattr(data, 'code_solved', 0)} coding challenge{'s' if getattr(data, 'code_solved', 0) != 1 else ''} "
            "solved")

    # -- actions -----------------------------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        focus = {"grid": "#stats-grid", "exams": "#stats-exams", "mastery": "#stats-mastery-scroll",
                 "accuracy": "#stats-accuracy-scroll", "code": "#stats-code-scroll"}.get(tab)
        if focus:
            self.query_one(focus).focus()

    def action_retention(self, direction: int) -> None:
        from study.learning import srs

        store = self.app.store
        current = store.desired_retention
        value = round(min(max(current + direction * STEP, srs.MIN_RETENTION), srs.MAX_RETENTION), 2)
        if value == current:
            self.notify(f"Desired retention stays within {srs.MIN_RETENTION:.0%}–{srs.MAX_RETENTION:.0%}.")
            return
        # Replaying the reviews under the new target is quick (a rule has tens of reviews, not thousands).
        store.set_desired_retention(value)
        if self.data is not None:
            self.data.retention = value
            self._retention_line()
        self.load()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:
            return
        exam_id = int(event.option.id)
        summary = next((h for h in (self.data.history if self.data else []) if h.id == exam_id), None)
        if summary is not None and summary.finished is None:
            self.app.open_exam()
            return
        from study.tui.screens.exam_review import ExamReviewScreen

        self.app.push_screen(ExamReviewScreen(exam_id))

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.go_home()
