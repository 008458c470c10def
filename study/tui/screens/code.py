"""Code: write a challenge's handler, Run grades it on the emulator (in child processes), Watch plays the graded run.

The brief and the results are on the left, the editor on the right; the code is saved as it is typed. Grading runs
in a worker thread and the learner's code in child processes, so the app stays responsive whatever the code does.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, OptionList, Static, TabbedContent, TabPane, TextArea
from textual.widgets.option_list import Option

from study.content import top_section
from study.tui.widgets.watch_view import WatchView

SAVE_DELAY_S = 0.6


def _editor(code: str, widget_id: str = "code-editor", read_only: bool = False) -> TextArea:
    try:
        return TextArea.code_editor(code, language="python", id=widget_id, read_only=read_only)
    except Exception:  # no Python grammar installed: still an editor, without colours
        return TextArea.code_editor(code, id=widget_id, read_only=read_only)


class CodeScreen(Screen):
    DEFAULT_CSS = """
    CodeScreen #code-split { height: 1fr; }
    CodeScreen #code-left { width: 2fr; min-width: 40; padding: 0 1; }
    CodeScreen #code-editor { width: 3fr; }
    CodeScreen #code-status { height: auto; padding: 0 1; background: $panel; }
    CodeScreen #code-brief { height: auto; }
    CodeScreen #code-results { height: auto; margin-top: 1; }
    CodeScreen #code-tabs { height: 1fr; }
    CodeScreen #code-tabs TabPane { padding: 0; height: 1fr; }
    CodeScreen #code-watch-label { height: 1; padding: 0 1; }
    """
    BINDINGS = [
        Binding("ctrl+r,f5", "run", "Run (grade)", key_display="ctrl+r", priority=True),
        # F6 and F7 stay the editor's (select line, select all).
        Binding("f2", "watch", "Watch", priority=True),
        Binding("f3", "solution", "Model solution", priority=True),
        Binding("f4", "starter", "Starter again", priority=True),
        Binding("left_square_bracket", "scenario(-1)", "Previous run", show=False),
        Binding("right_square_bracket", "scenario(1)", "Next run", show=False),
        Binding("escape", "back", "Back", priority=True),  # the editor would otherwise keep Esc
    ]

    class Loaded(Message):
        def __init__(self, challenge, code: str, tries: int, rules: dict) -> None:
            super().__init__()
            self.challenge, self.code, self.tries, self.rules = challenge, code, tries, rules

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class Progress(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Graded(Message):
        def __init__(self, result) -> None:
            super().__init__()
            self.result = result

    def __init__(self, challenge_id: str, clock=None) -> None:
        super().__init__()
        self.challenge_id = challenge_id
        self.clock = clock
        self.challenge = None
        self.rules: dict[str, tuple[str, str]] = {}
        self.tries = 0
        self.result = None
        self.watching = 0
        self.running = False
        self._save_timer = None
        self._unsaved: str | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="λ")
        yield Static("reading the challenge…", id="code-status")
        with TabbedContent(initial="code", id="code-tabs"):
            with TabPane("1 Code", id="code"):
                with Horizontal(id="code-split"):
                    with VerticalScroll(id="code-left"):
                        yield Static("", id="code-brief")
                        yield Static("", id="code-results")
                    yield _editor("")
            with TabPane("2 Watch", id="watch"):
                yield Static("Run first (ctrl+r): Watch plays the graded run.", id="code-watch-label")
                yield WatchView(clock=self.clock, id="code-watch")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Code"
        self.sub_title = self.challenge_id
        self.query_one("#code-editor", TextArea).read_only = True
        self.load()

    @work(thread=True, exclusive=True, group="code-load")
    def load(self) -> None:
        from study.challenges.model import find_challenge
        from study.sim.errors import ScenarioError

        rules: dict[str, tuple[str, str]] = {}
        try:  # read once: for the rule ids the file is checked against, and the statements shown with results
            from study.content import load_rules

            for rid, r in load_rules().rules.items():
                rules[rid] = (" ".join(str(r["statement"]).split()), str(r["section"]))
        except ScenarioError:
            pass  # a broken rules table is study check's to report; the challenge still opens
        try:
            challenge = find_challenge(self.challenge_id, set(rules) or None)
        except ScenarioError as err:
            self.post_message(self.Failed(str(err)))
            return
        if challenge is None:
            self.post_message(self.Failed(f"no challenge {self.challenge_id!r} in content/challenges"))
            return
        store = self.app.store
        code = store.challenge_code(challenge.id) or challenge.starter
        self.post_message(self.Loaded(challenge, code, store.challenge_tries(challenge.id), rules))

    def on_code_screen_failed(self, message: Failed) -> None:
        self.query_one("#code-status", Static).update(f"[b $error]Cannot open this challenge.[/] "
                                                      f"{escape(message.error)}")

    def on_code_screen_loaded(self, message: Loaded) -> None:
        c = self.challenge = message.challenge
        self.tries, self.rules = message.tries, message.rules
        self.title = f"Code {c.section}"
        self.sub_title = c.title
        visible = ", ".join(s.name for s in c.visible)
        hidden = sum(1 for s in c.scenarios if s.hidden)
        brief = Text()
        brief.append(c.title, style="bold")
        brief.append(f"  {c.id} · {c.section} · {c.trigger}\n\n", style="dim")
        brief.append(c.brief + "\n\n")
        brief.append(f"Scenarios: {visible}" + (f", and {hidden} hidden (shown after grading)" if hidden else "")
                     + ". Your code runs in its own process with the standard library and labkit, bounded by the "
                     "function's Timeout and MemorySize.", style="dim")
        self.query_one("#code-brief", Static).update(brief)
        editor = self.query_one("#code-editor", TextArea)
        editor.load_text(message.code)
        editor.read_only = False
        editor.focus()
        self._status("ready")

    def _status(self, text: str) -> None:
        tries = f"{self.tries} graded run{'s' if self.tries != 1 else ''}" if self.tries else "not run yet"
        self.query_one("#code-status", Static).update(
            f"{text} · {tries} · [b]ctrl+r[/] Run · [b]F2[/] Watch · [b]F3[/] model solution · [b]F7[/] select all · "
            "[b]Esc[/] back")

    # -- saving as typed ---------------------------------------------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self.challenge is None or event.text_area.read_only or event.text_area.id != "code-editor":
            return
        self._unsaved = event.text_area.text
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_DELAY_S, self._save)

    def _save(self) -> None:
        if self.challenge is None:
            return
        self._save_timer = None
        self._unsaved = None
        self.save_code(self.query_one("#code-editor", TextArea).text)

    @work(thread=True, group="code-save")
    def save_code(self, code: str) -> None:
        self.app.store.save_challenge_code(self.challenge.id, code)

    def on_unmount(self) -> None:
        # Leaving within the save delay: keep what was typed (nothing lost).
        if self._save_timer is not None:
            self._save_timer.stop()
        if self._unsaved is not None and self.challenge is not None:
            self.app.store.save_challenge_code(self.challenge.id, self._unsaved)

    # -- running -----------------------------------------------------------------------------------------------

    def action_run(self) -> None:
        if self.challenge is None or self.running:
            return
        self.running = True
        code = self.query_one("#code-editor", TextArea).text
        self._status("[b]grading…[/]")
        self.grade(code)

    @work(thread=True, exclusive=True, group="code-grade")
    def grade(self, code: str) -> None:
        from study.challenges.grade import grade

        challenge = self.challenge

        def progress(i: int, n: int, name: str) -> None:
            if name:
                self.post_message(self.Progress(f"[b]grading…[/] scenario {i + 1}/{n}: {escape(name)}"))

        try:
            result = grade(challenge, code, progress=progress)
        except Exception as err:  # the grader itself failed: say so, keep the app
            self.post_message(self.Failed(f"grading failed: {type(err).__name__}: {err}"))
            self.running = False
            return
        store = self.app.store
        store.save_challenge_code(challenge.id, code)
        n, total = result.score
        store.record_challenge_run(challenge.id, result.passed, n, total, code, challenge.rules)
        self.post_message(self.Graded(result))

    def on_code_screen_progress(self, message: Progress) -> None:
        self._status(message.text)

    def on_code_screen_graded(self, message: Graded) -> None:
        self.running = False
        self.result = message.result
        self.tries += 1
        n, total = self.result.score
        verdict = "[b $success]passed[/]" if self.result.passed else "[b $error]not yet[/]"
        self._status(f"{verdict} {n}/{total} checks")
        self.query_one("#code-results", Static).update(self._results_text())
        if self.result.passed:
            self.notify(f"{self.challenge.title}: every check passes.", title="Solved")
        self.watching = next((i for i, r in enumerate(self.result.runs) if not r.passed), 0)
        self._show_watch()

    def _results_text(self) -> Text:
        """Plain Text, not markup: details quote the learner's data, brackets and all."""
        out = Text()
        for run in self.result.runs:
            out.append(f"\n{run.name}", style="bold")
            out.append(" (hidden scenario)" if run.hidden else "", style="dim")
            out.append("\n")
            if run.hidden:
                out.append(f"  inputs: {', '.join(run.trace['inputs'])}\n", style="dim")
            for err in run.errors[:3]:
                out.append(f"  your function: {err}\n", style="yellow")
            for check in run.checks:
                out.append("  ✓ " if check.passed else "  ✗ ", style="green" if check.passed else "red")
                out.append(f"{check.name}\n")
                if check.passed:
                    continue
                out.append(f"      {check.detail}\n")
                if check.inputs:
                    out.append("      inputs that ended wrong: ", style="dim")
                    out.append(", ".join(check.inputs) + "\n")
                if check.rule:
                    statement, section = self.rules.get(check.rule, ("", ""))
                    out.append(f"      rule {check.rule} ({section}): ", style="dim")
                    out.append(statement + "\n")
        return out

    # -- watching ----------------------------------------------------------------------------------------------

    def _show_watch(self) -> None:
        if self.result is None or not self.result.runs:
            return
        from study.playback import PlaybackModel

        run = self.result.runs[self.watching % len(self.result.runs)]
        watch = self.query_one("#code-watch", WatchView)
        watch.set_model(PlaybackModel(run.trace))
        if self.rules:
            watch.set_rules(self.rules)
        state = "passed" if run.passed else "failed a check"
        label = Text(f"run {self.watching % len(self.result.runs) + 1}/{len(self.result.runs)}: ")
        label.append(run.name, style="bold")
        label.append(f" ({state}) · [ and ] other runs · space plays · F2 or Esc back to the code")
        self.query_one("#code-watch-label", Static).update(label)

    def action_watch(self) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active == "watch":
            tabs.active = "code"
            self.query_one("#code-editor", TextArea).focus()
            return
        if self.result is None:
            self.notify("Run first (ctrl+r): Watch plays the graded run.")
            return
        tabs.active = "watch"
        self.query_one("#code-watch", WatchView).focus()

    def action_scenario(self, delta: int) -> None:
        if self.result is None or self.query_one(TabbedContent).active != "watch":
            return
        self.watching = (self.watching + delta) % len(self.result.runs)
        self._show_watch()

    # -- model solution, starter ---------------------------------------------------------------------------------

    def action_solution(self) -> None:
        if self.challenge is None:
            return
        if self.tries == 0:
            self.notify("The model solution opens after a first graded run (ctrl+r).")
            return
        self.app.push_screen(SolutionScreen(self.challenge))

    def action_starter(self) -> None:
        if self.challenge is None:
            return
        editor = self.query_one("#code-editor", TextArea)
        editor.load_text(self.challenge.starter)
        self._save()
        self.notify("The starter is back (ctrl+z undoes).")

    def action_back(self) -> None:
        if self.query_one(TabbedContent).active == "watch":
            self.action_watch()
            return
        self.app.pop_screen()


class SolutionScreen(ModalScreen):
    """The model solution, read-only, beside nothing: the learner's own code stays as it is."""

    DEFAULT_CSS = """
    SolutionScreen { align: center middle; }
    SolutionScreen > VerticalScroll { width: 90%; max-width: 110; height: 90%; border: round $primary;
                                      background: $surface; padding: 0 1; }
    SolutionScreen #solution-code { height: auto; }
    """
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("f3", "dismiss", "Close", show=False)]

    def __init__(self, challenge) -> None:
        super().__init__()
        self.challenge = challenge

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(f"[b]Model solution[/] · {escape(self.challenge.title)}  [dim]Esc closes[/]")
            yield _editor(self.challenge.solution, "solution-code", read_only=True)
            if self.challenge.wrong:
                mistakes = "\n".join(f"  · {escape(w.name)}" for w in self.challenge.wrong)
                yield Static(f"\n[b]Typical wrong solutions the checks catch[/]\n{mistakes}")

    def action_dismiss(self) -> None:
        self.dismiss()


class ChallengesScreen(Screen):
    """Every coding challenge (or one section's): Enter opens one in the Code screen."""

    BINDINGS = [Binding("a", "all", "All sections"), Binding("escape", "back", "Back")]

    class Listed(Message):
        def __init__(self, challenges, bests) -> None:
            super().__init__()
            self.challenges, self.bests = challenges, bests

    def __init__(self, section: str | None = None) -> None:
        super().__init__()
        self.section = section

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="λ")
        yield Static("reading content/challenges…", id="challenges-heading")
        yield OptionList(id="challenges-list")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Code"
        self.sub_title = f"section {self.section}" if self.section else "every coding challenge"
        self.read()

    @work(thread=True, exclusive=True, group="challenges")
    def read(self) -> None:
        # The cheap index (id, section, title); the Code screen reads and validates the whole file it opens.
        from study.tui.catalog import challenge_entries

        challenges = self.app.challenges if self.app.challenges is not None else challenge_entries()
        self.post_message(self.Listed(challenges, self.app.store.challenge_bests()))

    def on_challenges_screen_listed(self, message: Listed) -> None:
        shown = [c for c in message.challenges if self.section is None or top_section(c[1]) == self.section]
        ol = self.query_one(OptionList)
        ol.clear_options()
        heading = self.query_one("#challenges-heading", Static)
        if not shown:
            heading.update(f"No coding challenge for section {self.section} yet. [b]a[/] shows them all.")
            return
        solved = sum(1 for c in shown if message.bests.get(c[0], (False,))[0])
        heading.update(f"{len(shown)} challenge{'s' if len(shown) != 1 else ''}, {solved} solved · Enter opens: "
                       "write the handler, ctrl+r grades it on the emulator")
        for cid, section, title in shown:
            best = message.bests.get(cid)
            mark = "[$success]✓[/]" if best and best[0] else (f"{best[1]}/{best[2]}" if best else "·")
            ol.add_option(Option(f"{mark:>5} {section:<8} {escape(title)}  [dim]{cid}[/]", id=cid))
        ol.highlighted = 0
        ol.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_challenge(event.option.id)

    def on_screen_resume(self) -> None:
        self.read()

    def action_all(self) -> None:
        self.section = None
        self.sub_title = "every coding challenge"
        self.read()

    def action_back(self) -> None:
        self.app.pop_screen()
