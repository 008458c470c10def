"""All labs (or one section's), from content/labs; Enter opens one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option


class LabsScreen(Screen):
    BINDINGS = [
        Binding("a", "all", "All sections"),
        Binding("escape", "home", "Map"),
    ]

    def __init__(self, section: str | None = None) -> None:
        super().__init__()
        self.section = section

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="λ")
        yield Static("", id="labs-heading")
        yield OptionList(id="labs-list")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Labs"
        self.show_section(self.section)

    def show_section(self, section: str | None, keep: int | None = None) -> None:
        self.section = section
        labs = getattr(self.app, "labs", None)
        results = getattr(self.app, "lab_results", None) or {}
        heading = self.query_one("#labs-heading", Static)
        ol = self.query_one(OptionList)
        ol.clear_options()
        if labs is None:
            heading.update("reading content/labs…")
            return
        shown = [e for e in labs if section is None or e.top_section == section]
        self.sub_title = f"section {section}" if section else "every section"
        if not shown:
            heading.update(f"No lab for section {section} yet. [b]a[/] shows every section's labs.")
            return
        done = sum(1 for e in shown if e.path.stem in results)
        heading.update(f"{len(shown)} lab{'s' if len(shown) != 1 else ''}, {done} done · Enter opens · each one: "
                       "predict, watch, explain, what-if · ✓ n/m your last score · ◌ not tried · ◐ revealed")
        last = None
        for e in shown:
            if e.top_section != last and section is None:
                last = e.top_section
                ol.add_option(Option(f"[b]{last}[/]", disabled=True))
            kind = "" if e.is_lab else " (scenario)"
            ol.add_option(Option(f"{_done_mark(results.get(e.path.stem))} {e.section or '':<8} {escape(e.title)}  "
                                 f"[dim]{e.trigger}{kind}[/]", id=str(e.path)))
        first = next((i for i in range(ol.option_count) if not ol.get_option_at_index(i).disabled), 0)
        ol.highlighted = keep if keep is not None and keep < ol.option_count else first
        ol.focus()

    def lab_results_changed(self) -> None:
        """An attempt was stored (or the store was read): show the marks, keeping the cursor where it was."""
        if getattr(self.app, "labs", None) is not None:
            self.show_section(self.section, keep=self.query_one(OptionList).highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_lab(event.option.id)

    def action_all(self) -> None:
        self.show_section(None)

    def action_home(self) -> None:
        self.app.go_home()


def _done_mark(result) -> str:
    """A lab's mark in the list: not tried, revealed without predicting, or the last score."""
    if result is None:
        return "[dim]◌     [/]"
    if result.revealed and result.last_right == 0:
        return "[$warning]◐ rev [/]"
    return f"[$success]✓ {result.last_right}/{result.last_asked}[/]".ljust(len("[$success]✓ 1/4[/]") + 1)
