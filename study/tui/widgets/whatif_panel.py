"""What-if: pick one setting, pick or type a new value, run the emulator again; both outcomes side by side."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.widgets import Input, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from study.lab import Setting, show_setting
from study.tui import palette


class WhatIfPanel(Vertical):
    DEFAULT_CSS = """
    WhatIfPanel { height: 1fr; }
    WhatIfPanel #whatif-top { height: auto; max-height: 60%; }
    WhatIfPanel OptionList { width: 1fr; height: auto; max-height: 12; }
    WhatIfPanel #whatif-side { width: 1fr; height: auto; padding: 0 1; }
    WhatIfPanel #whatif-value { height: auto; width: 1fr; }
    WhatIfPanel Input { width: 1fr; }
    WhatIfPanel #whatif-status { height: auto; color: $text-muted; }
    WhatIfPanel #whatif-progress { display: none; }
    WhatIfPanel #whatif-result { height: 1fr; }
    """

    BINDINGS = [
        Binding("right", "cycle(1)", "Next value", key_display="→", show=False),
        Binding("left", "cycle(-1)", "Previous value", key_display="←", show=False),
        Binding("w", "watch", "Watch it"),
        Binding("x", "cancel", "Cancel the run"),
    ]

    class Run(Message):
        """Run the lab again with one setting changed."""

        def __init__(self, setting: Setting, value: Any) -> None:
            super().__init__()
            self.setting = setting
            self.value = value

    class WatchVariant(Message):
        """Play the what-if's trace in the Watch view."""

    class Cancel(Message):
        """Stop the what-if that is running."""

    class Progress(Message):
        """How far the what-if's run is (posted from its worker)."""

        def __init__(self, settled: int, total: int, runs: int, t_s: float) -> None:
            super().__init__()
            self.settled, self.total, self.runs, self.t_s = settled, total, runs, t_s

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.settings: list[Setting] = []
        self.current: dict[str, Any] = {}
        self.options: dict[str, list[Any]] = {}
        self.chosen: dict[str, int] = {}
        self.has_result = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="whatif-top"):
            yield OptionList(id="whatif-settings")
            with Vertical(id="whatif-side"):
                yield Label("", id="whatif-value")
                yield Input(placeholder="or type a value (YAML), Enter runs", id="whatif-input", compact=True)
                yield Static("Pick a setting, ←/→ choose a value, Enter runs the emulator again.",
                             id="whatif-status")
                yield ProgressBar(id="whatif-progress", show_eta=False)
        with VerticalScroll(id="whatif-result"):
            yield Static("", id="whatif-table")

    def set_settings(self, settings: list[Setting], current: dict[str, Any], options: dict[str, list[Any]]) -> None:
        self.settings = settings
        self.current = current
        self.options = options
        for s in settings:
            values = options[s.name]
            cur = current[s.name]
            # Start on the first value that differs from the current one: "change one setting".
            nxt = next((i for i, v in enumerate(values) if v != cur), 0)
            self.chosen[s.name] = nxt
        ol = self.query_one(OptionList)
        ol.clear_options()
        ol.add_options([Option(escape(self._label(s)), id=s.name) for s in settings])
        if settings:
            ol.highlighted = 0
        self._show_value()

    def _label(self, s: Setting) -> str:
        return f"{s.name} = {show_setting(self.current.get(s.name))}"

    @property
    def selected(self) -> Setting | None:
        ol = self.query_one(OptionList)
        if ol.highlighted is None or not self.settings:
            return None
        return self.settings[ol.highlighted]

    def chosen_value(self, s: Setting) -> Any:
        values = self.options.get(s.name) or [None]
        return values[self.chosen.get(s.name, 0) % len(values)]

    def _show_value(self) -> None:
        s = self.selected
        label = self.query_one("#whatif-value", Label)
        if s is None:
            label.update("")
            return
        value = self.chosen_value(s)
        same = " (as written)" if value == self.current.get(s.name) else ""
        label.update(f"[b]{escape(s.name)}[/]: {escape(show_setting(self.current.get(s.name)))} → "
                     f"[b $accent]{escape(show_setting(value))}[/]{same}  ←/→ other values, Enter runs")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_value()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        s = self.selected
        if s is not None:
            self.post_message(self.Run(s, self.chosen_value(s)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        s = self.selected
        if s is None or not event.value.strip():
            return
        from study.sim import yamlpos
        from study.sim.errors import ScenarioError

        try:
            value, _ = yamlpos.load(event.value, "the value")
        except ScenarioError as err:
            self.status(f"cannot read {event.value!r} as a value: {err.message}")
            return
        self.post_message(self.Run(s, value))

    def action_cycle(self, delta: int) -> None:
        s = self.selected
        if s is None:
            return
        self.chosen[s.name] = (self.chosen.get(s.name, 0) + delta) % max(1, len(self.options.get(s.name) or [1]))
        self._show_value()

    def action_watch(self) -> None:
        if self.has_result:
            self.post_message(self.WatchVariant())

    def status(self, text: str) -> None:
        self.query_one("#whatif-status", Static).update(escape(text))

    def running(self, on: bool) -> None:
        """Show the progress bar (empty) while a run goes, hide it after."""
        bar = self.query_one("#whatif-progress", ProgressBar)
        bar.display = on
        if on:
            bar.update(total=None, progress=0)

    def action_cancel(self) -> None:
        self.post_message(self.Cancel())

    def on_what_if_panel_progress(self, message: Progress) -> None:
        bar = self.query_one("#whatif-progress", ProgressBar)
        if not bar.display:
            return  # the run already ended or was cancelled
        bar.update(total=max(1, message.total), progress=message.settled)
        self.status(f"running: {message.runs:,} invocations, {message.settled:,} of {message.total:,} inputs "
                    f"settled, t = {message.t_s:,.1f} s (x cancels)")

    def show_result(self, title: str, notes: list[str], rows, changed, error: str | None,
                    before_error: str | None, guesses: list[tuple[str, bool | None]] | None = None) -> None:
        """Both runs side by side; `guesses` are the learner's what-if predictions (text, verdict), one per
        question row, shown beside the what-if's actual values."""
        st = palette.styles(self.app)
        self.has_result = error is None or before_error is None
        table = Table(expand=True, show_edge=False, box=None, header_style=st["label"])
        table.add_column("", ratio=3, overflow="fold")
        table.add_column("as written", ratio=2, overflow="fold")
        table.add_column(title, ratio=2, overflow="fold")
        guesses = list(guesses or [])
        if guesses:
            table.add_column("you predicted", ratio=2, overflow="fold")
        q = 0
        for row in rows:
            style = st["accent"] if row.changed else ""
            cells = [Text(row.label), Text(row.before), Text(row.after, style=style)]
            if guesses:
                if q < len(guesses) and row.label.startswith(f"Q{q + 1} "):
                    text, right = guesses[q]
                    q += 1
                    mark = ("✓ " if right else "✗ ") if right is not None else ""
                    cells.append(Text(mark + (text or "no prediction"),
                                      style=st["success"] if right else st["error"] if right is False else st["muted"]))
                else:
                    cells.append(Text(""))
            table.add_row(*cells)
        parts: list = []
        if notes:
            parts.append(Text("With this change: " + "; ".join(notes), style=st["muted"]))
        if error:
            parts.append(Text(f"With {title}: {error}", style=st["error"]))
        if before_error:
            parts.append(Text(f"As written: {before_error}", style=st["muted"]))
        parts.append(table)
        if changed:
            ch = Table(expand=True, show_edge=False, box=None, header_style=st["label"])
            ch.add_column("input whose fate changed", ratio=2)
            ch.add_column("as written", ratio=3)
            ch.add_column(title, ratio=3)
            for iid, a, b in changed:
                ch.add_row(Text(iid), Text(a), Text(b, style=st["accent"]))
            parts += [Text(""), ch]
        if error is None:
            parts.append(Text("w plays this run in Watch; 2 then o goes back to the original", style=st["muted"]))
        self.query_one("#whatif-table", Static).update(Group(*parts))
