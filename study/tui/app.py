"""The Textual app and `make_app()`, the one factory the CLI and the tests share.

Startup stays light: the first screen needs only lesson titles (read without YAML); labs, questions, the
emulator and Markdown load after the first frame or when a screen needs them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from time import perf_counter

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from study.tui.screens.home import HomeScreen

_T0 = perf_counter()
_STORE_LOCK = threading.Lock()


class StudyApp(App):
    CSS_PATH = "study.tcss"
    TITLE = "AWS Lambda study"
    # The map is the default screen and the others stack on it (Esc or Home goes back down). Not MODES: a named
    # mode costs Textual about 20 ms more to bring up the first frame, and Textual cannot switch back to
    # the default mode; one stack also keeps "back" simple.
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, lab_file: str | None = None, clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        self.lab_file = lab_file
        self.clock = clock
        self.labs = None  # list[LabEntry] once read
        self.question_counts: dict[str, int] = {}
        self.challenges: list[tuple[str, str, str]] | None = None  # (id, section, title) once read
        self.code_progress: dict[str, tuple[int, int]] = {}  # section -> (solved, challenges)
        self.progress: dict[str, float] = {}
        self.lab_results: dict = {}  # lab name -> study.learning.records.LabResult, once the store is read
        self.ready_callback: Callable[[], None] | None = None
        self.startup_ms: float | None = None

    def get_default_screen(self) -> Screen:
        return HomeScreen()

    def on_mount(self) -> None:
        if self.lab_file is not None:
            self.open_lab(self.lab_file)

    def on_ready(self) -> None:
        self.startup_ms = (perf_counter() - _T0) * 1000
        self.log.info(f"study: first screen after {self.startup_ms:.0f} ms")
        if self.ready_callback is not None:
            self.ready_callback()
            return
        self.run_worker(self._load_catalog, thread=True, group="catalog")
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.load_progress()

    def _load_catalog(self) -> None:
        from study.tui import catalog

        labs = catalog.load_labs()
        counts = catalog.question_counts()
        self.challenges = catalog.challenge_entries()
        self.call_from_thread(self._catalog_loaded, labs, counts)

    def _catalog_loaded(self, labs, counts) -> None:
        self.labs = labs
        self.question_counts = counts
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.refresh_counts()
            refresh = getattr(screen, "show_section", None)
            if refresh is not None and type(screen).__name__ == "LabsScreen":
                refresh(screen.section)

    def lab_results_changed(self) -> None:
        """A lab attempt was stored: re-read the records and refresh the screens that show them."""
        self.lab_results = self.store.lab_results()
        self.show_lab_results()

    def show_lab_results(self) -> None:
        for screen in self.screen_stack:
            refresh = getattr(screen, "lab_results_changed", None)
            if refresh is not None:
                refresh()

    def labs_done(self, section: str) -> tuple[int, int]:
        """(labs attempted, labs) in a section."""
        labs = [e for e in self.labs or [] if e.top_section == section]
        return sum(1 for e in labs if e.path.stem in self.lab_results), len(labs)

    # -- navigation ------------------------------------------------------------------------------------------

    def go_home(self) -> None:
        """Back to the map: everything stacked on it closes."""
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def _raise_or_push(self, kind: str, make: Callable[[], Screen]) -> Screen | None:
        """Bring an open screen of this kind back to the top (closing what is above it), or push a new one."""
        names = [type(s).__name__ for s in self.screen_stack]
        if kind in names:
            while type(self.screen).__name__ != kind:
                self.pop_screen()
            return self.screen_stack[names.index(kind)]
        self.push_screen(make())
        return None

    def open_lesson(self, section: str) -> None:
        from study.tui.screens.learn import LearnScreen

        screen = self._raise_or_push("LearnScreen", lambda: LearnScreen(section))
        if screen is not None:
            screen.show_section(section)

    def open_labs(self, section: str | None) -> None:
        from study.tui.screens.labs import LabsScreen

        screen = self._raise_or_push("LabsScreen", lambda: LabsScreen(section))
        if screen is not None:
            screen.show_section(section)

    def open_lab(self, path: str | Path) -> None:
        from study.tui.screens.lab import LabScreen

        self.push_screen(LabScreen(path, clock=self.clock))

    def open_code(self, section: str | None = None) -> None:
        """The coding challenges of a section (or all of them); Enter opens one in the Code screen."""
        from study.tui.screens.code import ChallengesScreen

        self.store  # noqa: B018 - opened here, on the UI thread
        self.push_screen(ChallengesScreen(section))

    def open_challenge(self, challenge_id: str) -> None:
        from study.tui.screens.code import CodeScreen

        self.store  # noqa: B018
        self.push_screen(CodeScreen(challenge_id, clock=self.clock))

    def open_questions(self, section: str) -> None:
        from study.tui.screens.questions import QuestionsScreen

        self.push_screen(QuestionsScreen(section))

    # -- practice, exams, stats (one progress store, opened on first use) --------------------------------------

    @property
    def store(self):
        """The learner's progress database (study.learning.store.Store), opened on first use; call it first on the
        UI thread, so a recovery message can be shown."""
        with _STORE_LOCK:  # the map's progress worker may be first
            store = getattr(self, "_store", None)
            if store is None:
                from study.learning.store import Store

                store = self._store = Store()
                if store.message:
                    self.notify(store.message, title="Progress", severity="warning", timeout=12)
        return store

    def open_practice(self, sections: list[str] | None = None) -> None:
        from study.tui.screens.practice import PracticeScreen

        self.store  # noqa: B018 - opened here, on the UI thread
        self.push_screen(PracticeScreen(sections=sections))

    def open_exam(self, n: int | None = None, minutes: float | None = None, seed: int | None = None) -> None:
        from study.tui.screens.exam import ExamScreen

        self.store  # noqa: B018
        self.push_screen(ExamScreen(n=n, minutes=minutes, seed=seed))

    def open_stats(self) -> None:
        from study.tui.screens.stats import StatsScreen

        self.store  # noqa: B018
        self.push_screen(StatsScreen())

    def open_demo(self, name: str | None = None) -> None:
        """Instructor mode: the playlist picker, or one playlist (content/demos/NAME.yaml)."""
        from study.tui.screens.demo_picker import open_demo

        open_demo(self, name)

    def action_help(self) -> None:
        from study.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        keys = []
        for _key, active in self.screen.active_bindings.items():
            b = active.binding
            # This app's own keys (shown or not), not Textual's generic scrolling and focus keys.
            if b.description and _declared_here(active.node, b) and b.action.removeprefix("app.") not in ("help", "quit"):
                keys.append((b.key_display or self.get_key_display(b), b.description))
        where = getattr(self.screen, "help_where", None) or self.screen.title or type(self.screen).__name__
        self.push_screen(HelpScreen(keys, where))

    # -- the command palette -----------------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Home: the chapter map", "The 20 sections and the ways in", self.go_home)
        yield SystemCommand("Labs: every lab", "Every lab in content/labs", lambda: self.open_labs(None))
        yield SystemCommand("Help", "Keys and what the marks mean", self.action_help)
        yield SystemCommand("Practice", "Due rules first, then new ones; every option explained", self.open_practice)
        yield SystemCommand("Exam", "N questions in T minutes, scored by section and rule", self.open_exam)
        yield SystemCommand("Stats", "Mastery, reviews due, exam history, accuracy by rule", self.open_stats)
        yield SystemCommand("Code: every challenge", "Write the handler; the emulator grades it",
                            lambda: self.open_code(None))
        for cid, section, title in self.challenges or []:
            yield SystemCommand(f"Code {section} {title}", f"coding challenge · {cid}",
                                lambda c=cid: self.open_challenge(c))
        from study.demo import playlist_titles

        yield SystemCommand("Demo: choose a playlist", "Instructor mode: scripted stops and cards for a room",
                            self.open_demo)
        for name, title in playlist_titles():
            yield SystemCommand(f"Demo: {title}", f"Instructor mode · content/demos/{name}.yaml",
                                lambda n=name: self.open_demo(n))
        from study.tui.catalog import SECTIONS, lesson_titles

        titles = lesson_titles()
        for s in SECTIONS:
            yield SystemCommand(f"Learn {s} {titles.get(s, '')}", f"Open the lesson of section {s}",
                                lambda s=s: self.open_lesson(s))
            yield SystemCommand(f"Questions {s} {titles.get(s, '')}", f"The bank's questions for {s}",
                                lambda s=s: self.open_questions(s))
        for entry in self.labs or []:
            yield SystemCommand(f"Lab {entry.section or ''} {entry.title}", f"{entry.trigger} · {entry.path.name}",
                                lambda p=entry.path: self.open_lab(p))
        if type(screen).__name__ == "CodeScreen":
            for action, name, help_text in (("run", "Run", "Grade the code on every scenario"),
                                            ("watch", "Watch", "Play the graded run"),
                                            ("solution", "Model solution", "After a first graded run"),
                                            ("starter", "Starter again", "Put the starter back (ctrl+z undoes)")):
                yield SystemCommand(f"This challenge: {name}", help_text, getattr(screen, f"action_{action}"))
        if type(screen).__name__ == "LabScreen":
            for tab, name in (("predict", "Predict"), ("watch", "Watch"), ("explain", "Explain"),
                              ("whatif", "What-if")):
                yield SystemCommand(f"This lab: {name}", f"Switch to {name}", lambda t=tab: screen.action_tab(t))


def _declared_here(node, binding) -> bool:
    """Whether a binding comes from one of this project's classes (not from Textual's base classes)."""
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("study."):
            continue
        for b in cls.__dict__.get("BINDINGS", []):
            key, action = (b.key, b.action) if isinstance(b, Binding) else (b[0], b[1])
            if action == binding.action and binding.key in key.split(","):
                return True
    return False


def make_app(lab_file: str | None = None, *, clock: Callable[[], float] | None = None) -> StudyApp:
    """The app as the CLI runs it; tests pass a fake `clock` for playback."""
    return StudyApp(lab_file=lab_file, clock=clock)


def run_demo(playlist_name: str | None = None) -> int:
    """`study demo [PLAYLIST]`: the app opened on the picker or on one playlist. Exit 2 for a bad playlist."""
    from study.demo import playlist_or_say
    from study.tui.screens.demo_picker import open_demo

    playlist = None
    if playlist_name is not None:
        playlist = playlist_or_say("study demo", playlist_name)
        if playlist is None:
            return 2
    app = make_app()

    async def start(pilot) -> None:
        # Textual's auto-pilot hook runs once the app is ready: the demo opens over the home screen, so Esc
        # from the demo still lands somewhere useful.
        open_demo(pilot.app, playlist)

    app.run(auto_pilot=start)
    return 0
