"""A lab: Predict (the setup and your answers), Watch (the trace plays), Explain (prediction beside outcome),
What-if (one setting changed, the emulator run again in a worker, both outcomes side by side)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, RadioSet, Static, TabbedContent, TabPane

from study.tui.widgets.explanation import Explanation, Verdict
from study.tui.widgets.prediction_field import PredictionField
from study.tui.widgets.setup_diagram import SetupDiagram
from study.tui.widgets.timeline_bar import TimelineBar
from study.tui.widgets.watch_view import WatchView
from study.tui.widgets.whatif_panel import WhatIfPanel

TABS = ("predict", "watch", "explain", "whatif")


@dataclass
class Loaded:
    lab: Any
    outcome: Any
    model: Any
    predictions: list
    rules: list[tuple[str, str, str]]
    rule_table: dict[str, tuple[str, str]]


class LabScreen(Screen):
    """One lab or scenario file, opened from the map, a lesson, the palette or `study lab FILE`."""

    BINDINGS = [
        Binding("1", "tab('predict')", "Predict"),
        Binding("2", "tab('watch')", "Watch"),
        Binding("3", "tab('explain')", "Explain"),
        Binding("4", "tab('whatif')", "What-if"),
        Binding("r", "reveal", "Reveal", show=False),
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

    def __init__(self, path: str | Path, clock=None) -> None:
        super().__init__()
        self.path = Path(path)
        self.clock = clock
        self.loaded: Loaded | None = None
        self.committed = False
        self.predicted: list[Any] = []
        self.verdicts: list[Verdict] = []
        self.first_divergence: int | None = None
        self.variant: tuple[str, Any, Any] | None = None  # title, outcome, model
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
        self.load()

    # -- loading (worker) ------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="lab-load")
    def load(self) -> None:
        from study.sim.errors import ScenarioError
        from study.tui import lab_model as lm
        from study.tui.playback_model import PlaybackModel

        try:
            lab = lm.load_lab(self.path)
            outcome = lm.run_lab(lab)
        except ScenarioError as err:
            self.post_message(self.Failed(str(err)))
            return
        except OSError as err:
            self.post_message(self.Failed(f"{self.path}: cannot read the file ({err.strerror})"))
            return
        model = PlaybackModel(outcome.trace) if outcome.trace is not None else None
        predictions = lab.predictions or lm.generic_predictions(lab, outcome)
        rule_table: dict[str, tuple[str, str]] = {}
        try:
            from study.content import load_rules

            for rid, r in load_rules().rules.items():
                rule_table[rid] = (" ".join(str(r["statement"]).split()), str(r["section"]))
        except ScenarioError:  # the rules table is content; a broken one must not stop the lab
            rule_table = {}
        rules = [(rid, *rule_table[rid]) for rid in lm.lab_rules(lab, outcome) if rid in rule_table]
        self.post_message(self.Ready(Loaded(lab, outcome, model, predictions, rules, rule_table)))

    def on_lab_screen_failed(self, message: Failed) -> None:
        self.query_one("#predict-status", Static).update(f"[b $error]This file cannot be opened as a lab.[/]\n"
                                                         f"{escape(message.error)}")
        self.notify(message.error, title="Cannot open the lab", severity="error", timeout=8)

    async def on_lab_screen_ready(self, message: Ready) -> None:
        from study.tui import lab_model as lm

        loaded = self.loaded = message.loaded
        _freeze_heap()
        lab = loaded.lab
        self.title = lab.title
        self.sub_title = f"§{lab.section}  {self.path.name}" if lab.section else self.path.name
        desc = lab.description or ("A scenario without a lab block: predict how many times the function runs "
                                   "and where the first input ends up, then watch.")
        self.query_one("#lab-description", Static).update(escape(desc))
        self.query_one(SetupDiagram).show(lm.describe_setup(lab))
        status = self.query_one("#predict-status", Static)
        status.update("Read the setup, then Tab to each question (Enter moves on) and commit. Blank = no prediction.")
        fields = []
        for i, pred in enumerate(loaded.predictions, 1):
            shape = loaded.outcome.value(pred.answer) if pred.kind == "list" else None
            fields.append(PredictionField(i, pred, shape if isinstance(shape, list) else None, id=f"pred-{i}"))
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

    # -- predicting ------------------------------------------------------------------------------------------

    def fields(self) -> list[PredictionField]:
        return list(self.query(PredictionField))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._advance_from(event.input)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self._advance_from(event.radio_set)

    def _advance_from(self, control) -> None:
        fields = self.fields()
        for i, f in enumerate(fields):
            if control in f.query("*"):
                if i + 1 < len(fields):
                    fields[i + 1].focus_control()
                else:
                    self.query_one("#commit", Button).focus()
                return

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "commit":
            self.commit()

    def commit(self, force: bool = False, then: str | None = None) -> bool:
        """Grade every prediction against the trace; False when an answer cannot be read."""
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
        self._grade()
        self.query_one("#commit", Button).disabled = True
        self.query_one("#predict-status", Static).update("Committed. 2 Watch plays the run; 3 Explain compares.")
        self.action_tab(then or ("watch" if self.loaded.model is not None else "explain"))
        return True

    def action_play(self) -> None:
        """Space plays from anywhere on the Watch tab, even before the view has focus."""
        if self.query_one(TabbedContent).active == "watch":
            watch = self.query_one(WatchView)
            watch.focus()
            watch.action_toggle()

    def action_reveal(self) -> None:
        """Commit what is answered (an unreadable or blank answer counts as no prediction) and explain."""
        if not self.committed and self.loaded is not None:
            self.commit(force=True, then="explain")

    def _grade(self) -> None:
        from study.tui import lab_model as lm

        loaded = self.loaded
        outcome = loaded.outcome
        entries = (outcome.trace or {}).get("timeline") or []
        rules_by_id = {rid: (text, section) for rid, text, section in loaded.rules}
        fallback = (loaded.rules[0][0] if loaded.rules else None) or (loaded.lab.rules[0] if loaded.lab.rules else None)
        self.verdicts = []
        markers: list[float] = []
        first_index, first_t = None, None
        for f, value in zip(self.fields(), self.predicted):
            pred = f.pred
            right = lm.grade(pred, value, outcome)
            actual = lm.show(lm.actual_for(pred, outcome))
            f.seal(right, actual)
            markers += lm.time_markers(pred, value)
            div = lm.divergence(pred, value, outcome, fallback)
            v = Verdict(f.number, pred.question, lm.show(value) if value is not None else "", actual, right)
            if div is not None:
                v.when = div.note
                if div.index is not None and div.index < len(entries):
                    v.t = float(entries[div.index]["t"])
                    if loaded.model is not None and loaded.model.by_step:
                        v.when += f" (step {div.index + 1} of {len(entries)})"
                    if first_index is None or div.index < first_index:
                        first_index, first_t = div.index, v.t
                v.rule_id = div.rule
                text, section = rules_by_id.get(div.rule) or loaded.rule_table.get(div.rule, ("", ""))
                v.rule_text, v.section = text, section
            self.verdicts.append(v)
        # The divergence shown first is the earliest on the timeline among the wrong answers.
        wrong = sorted((v for v in self.verdicts if v.right is False),
                       key=lambda v: (v.t is None, v.t if v.t is not None else 0.0, v.number))
        self.first_divergence = first_index
        self.first_section = wrong[0].section if wrong and wrong[0].section else None
        self.query_one(Explanation).show(self.verdicts, loaded.rules, outcome.error,
                                         wrong[0].number if wrong else None)
        if loaded.model is not None:
            self.query_one(WatchView).mark(markers, first_t, first_index)
            self.query_one("#explain-timeline", TimelineBar).mark(
                markers, first_t, first_index + 1 if first_index is not None else None)

    # -- navigation ------------------------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = tab
        # Focus once the pane is shown (a hidden widget cannot take focus).
        if tab == "watch":
            self.call_after_refresh(self.query_one(WatchView).focus)
        elif tab == "whatif":
            self.call_after_refresh(self.query_one("#whatif-settings").focus)
        elif tab == "explain":
            self.call_after_refresh(self.query_one("#explain-scroll").focus)
        elif tab == "predict":
            fields = self.fields()
            if fields and not self.committed:
                fields[0].focus_control()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "watch":
            self.query_one(WatchView).focus()

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
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.go_home()

    def action_open_lesson(self) -> None:
        section = getattr(self, "first_section", None) or (self.loaded.lab.section if self.loaded else None)
        if section:
            self.app.open_lesson(".".join(section.split(".")[:2]))

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
        from study.tui.lab_model import show_setting

        title = f"{message.setting.name} = {show_setting(message.value)}"
        panel = self.query_one(WhatIfPanel)
        panel.status(f"running the emulator with {title}… (x cancels)")
        panel.running(True)
        self.run_variant(message.setting, message.value, title)

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
        from study.tui import lab_model as lm
        from study.tui.playback_model import PlaybackModel

        worker = get_current_worker()
        panel = self.query_one(WhatIfPanel)

        def progress(engine) -> bool:
            panel.post_message(WhatIfPanel.Progress(engine.settled, len(engine.inputs), engine.n_started,
                                                    engine.now / 1000))
            return worker.is_cancelled

        data, notes = lm.apply_setting(self.loaded.lab, setting, value)
        try:
            outcome = lm.run_variant(self.loaded.lab, data, progress)
        except Cancelled:
            return
        if outcome.trace is not None and outcome.trace["summary"].get("stopped_by") == "max_invocations":
            notes.append(f"the run was stopped after {lm.WHATIF_MAX_INVOCATIONS:,} invocations (it would go on)")
        model = PlaybackModel(outcome.trace) if outcome.trace is not None else None
        if not get_current_worker().is_cancelled:  # a newer what-if replaced this one
            self.post_message(self.VariantDone(title, notes, outcome, model))

    def on_lab_screen_variant_done(self, message: VariantDone) -> None:
        from study.tui import lab_model as lm

        self.variant = (message.title, message.outcome, message.model)
        self.query_one(WhatIfPanel).running(False)
        _freeze_heap()
        base = self.loaded.outcome
        rows = lm.compare(base, message.outcome, self.loaded.predictions)
        changed = lm.changed_inputs(base, message.outcome)
        panel = self.query_one(WhatIfPanel)
        panel.show_result(message.title, message.notes, rows, changed, message.outcome.error, base.error)
        differs = any(r.changed for r in rows) or bool(changed)
        panel.status(f"{message.title}: " + ("the outcome changes (highlighted)." if differs
                                             else "same outcome as written."))

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
