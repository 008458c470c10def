"""A lab: Predict (the setup and your answers), Watch (the trace plays), Explain (prediction beside outcome),
What-if (one setting changed, the emulator run again in a worker, both outcomes side by side)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Static, TabbedContent, TabPane

from study.content import top_section
from study.lab.attempt import Loaded, attempt_rows, jsonable, open_lab
from study.lab.attempt import lab_key as stored_lab_key
from study.lab.grading import Verdict, grade_predictions
from study.lab.whatif import run_whatif, whatif_result
from study.tui.widgets.explanation import Explanation
from study.tui.widgets.prediction_field import Choices, PredictionField, advance
from study.tui.widgets.setup_diagram import SetupDiagram
from study.tui.widgets.timeline_bar import TimelineBar
from study.tui.widgets.watch_view import WatchView
from study.tui.widgets.whatif_panel import WhatIfPanel

TABS = ("predict", "watch", "explain", "whatif")
TAB_NAMES = {"predict": "Predict", "watch": "Watch", "explain": "Explain", "whatif": "What-if"}
LOCKED = ("watch", "explain", "whatif")  # they show the outcome: open after a commit or a confirmed reveal


class LabScreen(Screen):
    """One lab or scenario file, opened from the map, a lesson, the palette or `study lab FILE`."""

    BINDINGS = [
        # The tab bar shows 1-4 already; the footer keeps room for ctrl+s and ? at 80 columns.
        Binding("1", "tab('predict')", "Predict", show=False),
        Binding("2", "tab('watch')", "Watch", show=False),
        Binding("3", "tab('explain')", "Explain", show=False),
        Binding("4", "tab('whatif')", "What-if", show=False),
        Binding("ctrl+s", "commit", "Commit", priority=True),
        Binding("r", "reveal", "Reveal without predicting", show=False),
        Binding("space", "play", "Play/pause", show=False),
        Binding("g", "goto_divergence", "Go to divergence", show=False),
        Binding("o", "o_key", "Original run / lesson", show=False),
        Binding("escape", "back", "Back"),
    ]

    class Ready(Message):
        def __init__(self, loaded: Loaded) -> None:
            super().__init__()
            self.loaded = loaded

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class VariantDone(Message):
        def __init__(self, title: str, notes: list[str], outcome: Any, model: Any) -> None:
            super().__init__()
            self.title = title
            self.notes = notes
            self.outcome = outcome
            self.model = model

    def __init__(self, path: str | Path, clock=None, answered: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.clock = clock
        # Opened from a question the learner has already answered ("watch it"): that answer was the prediction,
        # so the run opens at once and no lab attempt is stored.
        self.answered = answered
        self.loaded: Loaded | None = None
        self.committed = False
        self.revealed = False  # the outcome was opened without a committed prediction (confirmed)
        self.attempt_id: int | None = None  # the stored attempt, once committed
        self.predicted: list[Any] = []
        self.verdicts: list[Verdict] = []
        self.first_divergence: int | None = None
        self.variant: tuple[str, Any, Any] | None = None  # title, outcome, model
        self.whatif_predicted: list[Any] = []  # the learner's prediction for the what-if being run
        self.whatif_verdicts: list[bool | None] = []
        self.sub_title = self.path.name

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="λ")
        with TabbedContent(initial="predict", id="lab-tabs"):
            with TabPane("1 Predict", id="predict"):
                with VerticalScroll(id="predict-scroll"):
                    yield Static("", id="lab-description")
                    yield SetupDiagram(id="setup")
                    yield Static("Your predictions", id="predict-heading", classes="heading")
                    yield Static("running the emulator…", id="predict-status")
                    yield Button("Commit predictions", id="commit", variant="primary", disabled=True)
            with TabPane("2 Watch", id="watch"):
                yield Static("", id="refused")
                yield WatchView(clock=self.clock, id="watch-view")
            with TabPane("3 Explain", id="explain"):
                with VerticalScroll(id="explain-scroll"):
                    yield TimelineBar(id="explain-timeline")
                    yield Explanation(id="explanation")
            with TabPane("4 What-if", id="whatif"):
                yield WhatIfPanel(id="whatif-panel")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Lab"
        self.query_one("#refused").display = False
        tabs = self.query_one(TabbedContent)
        for tab in LOCKED:
            tabs.disable_tab(tab)
        self.load()

    @property
    def help_where(self) -> str:
        """Where the help was opened: the lab and its tab."""
        tab = TAB_NAMES.get(self.query_one(TabbedContent).active, "")
        return f"lab · {tab}" + ("" if self.committed else " (before the commit)")

    # -- loading (worker) ------------------------------------------------------------------------------------

    class Loading(Message):
        def __init__(self, text: str) -> None:  # how far a big run is
            super().__init__()
            self.text = text

    @work(thread=True, exclusive=True, group="lab-load")
    def load(self) -> None:
        from textual.worker import get_current_worker

        from study.lab.attempt import load_progress
        from study.sim.engine import Cancelled
        from study.sim.errors import ScenarioError

        worker = get_current_worker()
        progress = load_progress(lambda text: self.post_message(self.Loading(text)), lambda: worker.is_cancelled)
        try:
            loaded = open_lab(self.path, progress)
        except Cancelled:
            return
        except ScenarioError as err:
            self.post_message(self.Failed(str(err)))
            return
        except OSError as err:
            self.post_message(self.Failed(f"{self.path}: cannot read the file ({err.strerror})"))
            return
        self.post_message(self.Ready(loaded))

    def on_lab_screen_loading(self, message: Loading) -> None:
        if self.loaded is None:
            self.query_one("#predict-status", Static).update(message.text)

    def on_lab_screen_failed(self, message: Failed) -> None:
        """A file that cannot be opened: say why, and go back to where the learner came from (the map for
        `study lab FILE`); the app keeps running."""
        self.query_one("#predict-status", Static).update(f"[b $error]This file cannot be opened as a lab.[/]\n"
                                                         f"{escape(message.error)}")
        self.app.notify(message.error, title="This file cannot be opened as a lab", severity="error", timeout=20,
                        markup=False)
        if self.app.screen is self and len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    async def on_lab_screen_ready(self, message: Ready) -> None:
        from study import lab as lm

        loaded = self.loaded = message.loaded
        _freeze_heap()
        lab = loaded.lab
        self.title = lab.title
        self.sub_title = f"§{lab.section}  {self.path.name}" if lab.section else self.path.name
        desc = lab.description or ("A scenario without a lab block: predict how many times the function runs "
                                   "and where the first input ends up, then watch.")
        # The title in full (the header cuts it on a narrow terminal), then the brief.
        self.query_one("#lab-description", Static).update(f"[b]{escape(lab.title)}[/]\n\n{escape(desc)}")
        self.query_one(SetupDiagram).show(lm.describe_setup(lab))
        status = self.query_one("#predict-status", Static)
        status.update("Read the setup, then Tab to each question: Space chooses an option, Enter moves on, a blank "
                      "stays blank (no prediction). [b]ctrl+s[/] commits from anywhere on this tab.")
        fields = []
        for i, pred in enumerate(loaded.predictions, 1):
            shape = loaded.outcome.value(pred.answer) if pred.kind == "list" else None
            fields.append(PredictionField(i, pred, shape if isinstance(shape, list) else None, lab.trigger_type,
                                          id=f"pred-{i}"))
        await self.query_one("#predict-scroll").mount_all(fields, before=self.query_one("#commit"))
        self.query_one("#commit", Button).disabled = False
        watch = self.query_one(WatchView)
        watch.set_rules(loaded.rule_table)
        if loaded.model is not None:
            watch.set_model(loaded.model)
            self.query_one("#explain-timeline", TimelineBar).set_model(loaded.model)
        else:
            refused = self.query_one("#refused", Static)
            refused.update(f"[b $error]AWS refuses this configuration, so nothing runs.[/]\n{escape(loaded.outcome.error)}\n\n"
                           "Try 4 What-if to change the setting that is missing.")
            refused.display = True
            watch.display = False
            self.query_one("#explain-timeline").display = False
        panel = self.query_one(WhatIfPanel)
        settings = lm.whatif_settings(lab)
        panel.set_settings(settings, {s.name: lm.current_value(lab, s) for s in settings},
                           {s.name: lm.candidates(lab, s) for s in settings})
        # Focus the page, not the first answer: the learner reads the setup first, then Tabs into the questions.
        self.query_one("#predict-scroll").focus()
        if self.answered:
            self.commit(force=True, then="watch" if loaded.model is not None else "explain", store=False)
            self.query_one("#predict-status", Static).update(
                "Opened from a question you have answered: that answer was your prediction. "
                "2 Watch plays the run; 4 What-if changes a setting.")

    # -- predicting ------------------------------------------------------------------------------------------

    def fields(self) -> list[PredictionField]:
        return list(self.query(PredictionField))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "whatif-input":
            advance(self.fields(), event.input, self.query_one("#commit", Button))

    def on_choices_next(self, event: Choices.Next) -> None:
        advance(self.fields(), event.choices, self.query_one("#commit", Button))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "commit":
            self.commit()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        # ctrl+s is offered (and shown in the footer) only while there is something to commit.
        if action == "commit":
            return not self.committed
        return True

    def action_commit(self) -> None:
        if self.committed:
            self.notify("Already committed: the predictions are frozen.")
        elif self.query_one(TabbedContent).active != "predict":
            self.action_tab("predict")
        else:
            self.commit()

    def commit(self, force: bool = False, then: str | None = None, store: bool = True) -> bool:
        """Grade every prediction against the trace; False when an answer cannot be read. `store=False` (the
        snapshot command) keeps the attempt out of the progress store."""
        if self.loaded is None or self.committed:
            return False
        values = []
        for f in self.fields():
            value, problem = f.answer()
            if problem and not force:
                f.focus_control()
                self.notify(f"Question {f.number}: {problem}", severity="warning")
                return False
            values.append(None if problem else value)
        self.predicted = values
        self.committed = True
        self.refresh_bindings()
        tabs = self.query_one(TabbedContent)
        for tab in LOCKED:
            tabs.enable_tab(tab)
        self._grade()
        if store:
            self._store_attempt()
        self.query_one("#commit", Button).disabled = True
        self.query_one("#predict-status", Static).update(
            ("Revealed without predicting (recorded as such); the answers are frozen. " if self.revealed else
             "Committed; the answers are frozen. ") + "2 Watch plays the run; 3 Explain compares.")
        self.action_tab(then or ("watch" if self.loaded.model is not None else "explain"))
        return True

    def action_play(self) -> None:
        """Space plays from anywhere on the Watch tab, even before the view has focus."""
        if self.query_one(TabbedContent).active == "watch":
            watch = self.query_one(WatchView)
            watch.focus()
            watch.action_toggle()

    def action_reveal(self, then: str = "explain") -> None:
        """Open the outcome without a committed prediction: only once confirmed, and recorded as such. What is
        already answered counts (it was written before the outcome was seen); the rest is no prediction."""
        if self.committed or self.loaded is None:
            return

        def done(yes: bool | None) -> None:
            if yes and not self.committed:
                self.revealed = True
                self.commit(force=True, then=then)

        from study.tui.screens.lab_dialogs import ConfirmReveal

        self.app.push_screen(ConfirmReveal(), done)

    @property
    def lab_key(self) -> str:
        """The name the progress store keeps this lab's attempts under."""
        return stored_lab_key(self.path)

    def _store_attempt(self) -> None:
        """Keep the attempt (predictions, score, revealed or not) in the progress store; leaving the lab later
        loses nothing."""
        loaded = self.loaded
        rows = attempt_rows(zip([f.pred for f in self.fields()], self.predicted), loaded.outcome)
        rules = [r[0] for r in loaded.rules] or list(loaded.lab.rules)
        try:
            store = self.app.store  # opened on the UI thread, so a recovery message can show
        except Exception as err:  # noqa: BLE001 - the lab goes on without the store; say so
            self.notify(f"This attempt could not be saved: {err}", severity="warning")
            return
        self.attempt_id = store.record_lab_attempt(self.lab_key, jsonable(rows), revealed=self.revealed,
                                                   rules=rules)
        self.app.lab_results_changed()

    def _grade(self) -> None:
        loaded = self.loaded
        fields = self.fields()
        graded = grade_predictions(loaded, [(f.number, f.pred, value) for f, value in zip(fields, self.predicted)])
        for f, (right, actual) in zip(fields, graded.sealed):
            f.seal(right, actual)
        self.verdicts = graded.verdicts
        self.first_divergence = graded.first_index
        self.first_section = graded.first_section
        self.query_one(Explanation).show(self.verdicts, loaded.rules, loaded.outcome.error, graded.first_wrong,
                                         loaded.lab.debrief, self.revealed)
        if loaded.model is not None:
            first = graded.first_index
            self.query_one(WatchView).mark(graded.markers, graded.first_t, first)
            self.query_one("#explain-timeline", TimelineBar).mark(graded.markers, graded.first_t,
                                                                  first + 1 if first is not None else None)

    # -- navigation ------------------------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        if tab in LOCKED and not self.committed:
            if self.loaded is None:
                self.notify("The lab is still loading.")
            else:
                self.action_reveal(then=tab)
            return
        tabs = self.query_one(TabbedContent)
        tabs.active = tab
        if tab == "predict":
            fields = self.fields()
            if fields and not self.committed:
                fields[0].focus_control()
        else:
            self._focus_pane(tab)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # Again once active: a focus asked before the pane showed is lost (Enter on What-if would do nothing).
        self._focus_pane(event.pane.id, now=event.pane.id == "watch")

    def _focus_pane(self, tab: str, now: bool = False) -> None:
        """Focus a pane's control: after a refresh unless `now` (a hidden widget cannot take focus)."""
        target = {"watch": WatchView, "whatif": "#whatif-settings", "explain": "#explain-scroll"}.get(tab)
        if target is not None:
            widget = self.query_one(target)
            if now:
                widget.focus()
            else:
                self.call_after_refresh(widget.focus)

    def action_goto_divergence(self) -> None:
        if self.first_divergence is None or self.loaded is None or self.loaded.model is None:
            self.notify("No divergence to show.")
            return
        watch = self.query_one(WatchView)
        if watch.model is not self.loaded.model:
            watch.set_model(self.loaded.model)
        self.action_tab("watch")
        watch.step(0)
        watch.seek(self.first_divergence + 1)

    def action_original(self) -> None:
        if self.loaded is not None and self.loaded.model is not None:
            self.query_one(WatchView).set_model(self.loaded.model)
            self.action_tab("watch")

    def action_back(self) -> None:
        focused = self.focused
        scroll = self.query_one("#predict-scroll")
        if focused is not None and focused is not scroll and scroll in focused.ancestors:
            # Esc first leaves the answer box (a half-typed prediction is not lost); a second Esc leaves the lab.
            scroll.focus()
            return
        if isinstance(focused, Input):  # the what-if value box: Esc leaves the box, not the lab
            self.query_one("#whatif-settings").focus()
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.go_home()

    def action_open_lesson(self) -> None:
        section = getattr(self, "first_section", None) or (self.loaded.lab.section if self.loaded else None)
        if section:
            self.app.open_lesson(top_section(section))

    def action_o_key(self) -> None:
        # o: after a what-if, the original run; in Explain, the lesson of the divergence's section.
        if self.query_one(TabbedContent).active == "explain":
            self.action_open_lesson()
        else:
            self.action_original()

    # -- what-if (worker) ------------------------------------------------------------------------------------

    def on_what_if_panel_run(self, message: WhatIfPanel.Run) -> None:
        if self.loaded is None:
            return
        from study.lab import show_setting

        if not self.committed:
            self.action_tab("whatif")  # asks for the reveal first
            return
        title = f"{message.setting.name} = {show_setting(message.value)}"
        loaded = self.loaded
        shapes = []
        for pred in loaded.predictions:
            shape = loaded.outcome.value(pred.answer) if pred.kind == "list" else None
            shapes.append(shape if isinstance(shape, list) else None)

        def predicted(values: list | None) -> None:
            if values is None:
                self.query_one(WhatIfPanel).status("what-if cancelled")
                return
            self.whatif_predicted = values
            panel = self.query_one(WhatIfPanel)
            panel.status(f"running the emulator with {title}… (x cancels)")
            panel.running(True)
            self.run_variant(message.setting, message.value, title)

        from study.tui.screens.lab_dialogs import WhatIfPredict

        self.app.push_screen(WhatIfPredict(title, loaded.predictions, shapes, loaded.lab.trigger_type), predicted)

    def on_what_if_panel_cancel(self, message: WhatIfPanel.Cancel) -> None:
        panel = self.query_one(WhatIfPanel)
        if not panel.query_one("#whatif-progress").display:
            return  # nothing is running
        self.workers.cancel_group(self, "whatif")
        panel.running(False)
        panel.status("what-if cancelled.")

    @work(thread=True, exclusive=True, group="whatif")
    def run_variant(self, setting, value, title: str) -> None:
        from textual.worker import get_current_worker

        from study.sim.engine import Cancelled

        worker = get_current_worker()
        panel = self.query_one(WhatIfPanel)

        def progress(engine) -> bool:
            panel.post_message(WhatIfPanel.Progress(engine.settled, len(engine.inputs), engine.n_started,
                                                    engine.now / 1000))
            return worker.is_cancelled

        try:
            notes, outcome, model = run_whatif(self.loaded.lab, setting, value, progress)
        except Cancelled:
            return
        if not get_current_worker().is_cancelled:  # a newer what-if replaced this one
            self.post_message(self.VariantDone(title, notes, outcome, model))

    def on_lab_screen_variant_done(self, message: VariantDone) -> None:
        self.variant = (message.title, message.outcome, message.model)
        self.query_one(WhatIfPanel).running(False)
        _freeze_heap()
        base = self.loaded.outcome
        result = whatif_result(message.title, base, message.outcome, self.loaded.predictions, self.whatif_predicted)
        self.whatif_verdicts = [g["right"] for g in result.guesses]
        panel = self.query_one(WhatIfPanel)
        panel.show_result(message.title, message.notes, result.rows, result.changed, message.outcome.error,
                          base.error, result.shown_guesses)
        panel.status(result.status)
        if self.attempt_id is not None:
            self.app.store.record_lab_whatif(self.attempt_id, message.title, jsonable(result.guesses))
            self.app.lab_results_changed()

    def on_what_if_panel_watch_variant(self, message: WhatIfPanel.WatchVariant) -> None:
        if self.variant is None or self.variant[2] is None:
            self.notify("This what-if has no run to watch.")
            return
        title, _outcome, model = self.variant
        watch = self.query_one(WatchView)
        watch.set_model(model, label=f"what-if: {title} (o: original)")
        self.query_one("#refused").display = False
        watch.display = True
        self.action_tab("watch")


def _freeze_heap() -> None:
    """Move what exists now (a trace can be 60,000 dicts) out of the cyclic collector's way: otherwise a
    full collection scans it all and stalls a frame for ~200 ms during playback. Traces hold no cycles, so
    reference counting still frees them."""
    import gc

    gc.freeze()
