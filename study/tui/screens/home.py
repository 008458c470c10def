"""Home: the chapter's 20 sections as a map with your mastery, and the ways in (Learn, Lab, Practice, Exam, Stats)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from study.content import top_section
from study.tui.catalog import SECTIONS, lesson_titles
from study.tui.widgets.section_map import SectionMap

WAYS_IN = ("Ways in: [b]⏎[/] Learn · [b]l[/] Lab · [b]c[/] Code · [b]q[/] Questions · [b]a[/] all labs · "
           "[b]ctrl+p[/] find\n"
           "Practise: [b]p[/] Practice (due first, then new) · [b]e[/] Exam (20 in 30 min) · [b]s[/] Stats")


class HomeScreen(Screen):
    BINDINGS = [
        Binding("enter", "learn", "Learn"),
        Binding("l", "labs", "Labs"),
        Binding("c", "code", "Code"),
        Binding("q", "questions", "Questions"),
        Binding("a", "all_labs", "All labs"),
        Binding("p", "practice", "Practice"),
        Binding("e", "exam", "Exam"),
        Binding("s", "stats", "Stats"),
    ]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="λ")
        with Vertical(id="home-scroll"):  # scrolls by CSS; a plain container is quicker to bring up
            yield SectionMap(SECTIONS, lesson_titles(), id="section-map")
            yield Static(WAYS_IN, id="ways-in")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "AWS Lambda · chapter 18"
        self.sub_title = "the chapter map"
        self.query_one(SectionMap).focus()
        self.refresh_counts()
        # Progress (SQLite, the scheduler) loads after the first frame: the app calls load_progress from on_ready.

    def on_screen_resume(self) -> None:
        # Back from practice or an exam: mastery has moved. (The first resume comes before the first frame;
        # the app loads progress after it, from on_ready, so startup stays light.)
        if getattr(self.app, "startup_ms", None) is not None:
            self.load_progress()

    def load_progress(self) -> None:
        from study import paths
        from study.learning.store import FILE_NAME

        # No database yet: nothing to show, and launching the app should not create one.
        if getattr(self.app, "_store", None) is None and not (paths.user_data_dir() / FILE_NAME).exists():
            return
        self.run_worker(self._read_progress, thread=True, exclusive=True, group="home-progress")

    def _read_progress(self) -> None:
        store = self.app.store
        mastery = store.recall_by_section()
        progress = {s: m.mastery for s, m in mastery.items() if m.reviewed}
        try:
            solved = {cid for cid, best in store.challenge_bests().items() if best[0]}
        except Exception:  # the map must come up even if this part of the store cannot be read
            solved = set()
        self.app.call_from_thread(self._progress_read, progress, store.lab_results(), solved)

    def _progress_read(self, progress: dict[str, float], lab_results: dict, solved: set[str] | None = None) -> None:
        self.app.progress = progress
        self.app.code_solved = solved or set()
        self.app.lab_results = lab_results
        self.app.show_lab_results()

    def lab_results_changed(self) -> None:
        self.refresh_counts()

    def refresh_counts(self) -> None:
        """Labs, questions and progress per section, once the app has loaded them (after the first frame)."""
        app = self.app
        labs = getattr(app, "labs", None) or []
        questions = getattr(app, "question_counts", None) or {}
        progress = getattr(app, "progress", None) or {}
        per_section = {s: sum(1 for e in labs if e.top_section == s) for s in SECTIONS}
        solved = getattr(app, "code_solved", None) or set()
        code: dict[str, tuple[int, int]] = {}
        for cid, section, _title in getattr(app, "challenges", None) or []:
            top = top_section(section)
            done_code, n = code.get(top, (0, 0))
            code[top] = (done_code + (cid in solved), n + 1)
        done = {s: app.labs_done(s)[0] for s in SECTIONS}
        self.query_one(SectionMap).set_counts(per_section, questions, progress, code, done)

    @property
    def section(self) -> str:
        return self.query_one(SectionMap).section

    def on_section_map_chosen(self, message: SectionMap.Chosen) -> None:
        self.app.open_lesson(message.section)

    def action_learn(self) -> None:
        self.app.open_lesson(self.section)

    def action_labs(self) -> None:
        self.app.open_labs(self.section)

    def action_code(self) -> None:
        self.app.open_code(self.section)

    def action_all_labs(self) -> None:
        self.app.open_labs(None)

    def action_questions(self) -> None:
        self.app.open_questions(self.section)

    def action_practice(self) -> None:
        self.app.open_practice()

    def action_exam(self) -> None:
        self.app.open_exam()

    def action_stats(self) -> None:
        self.app.open_stats()
