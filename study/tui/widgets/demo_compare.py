"""The run as written beside the what-if's run: a few outcome rows, the ones that differ highlighted."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from study.tui import palette


class DemoCompare(Widget):
    DEFAULT_CSS = """
    DemoCompare { height: auto; width: 1fr; padding: 0 1; border: heavy $secondary; background: $background; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.original: dict[str, str] = {}
        self.variant: dict[str, str] = {}
        self.label = ""

    def show(self, original: dict[str, str], variant: dict[str, str], label: str) -> None:
        self.original, self.variant, self.label = original, variant, label
        self.refresh(layout=True)

    def differs(self) -> bool:
        return self.original != self.variant

    def render(self) -> Table:
        st = palette.styles(self.app)
        table = Table.grid(padding=(0, 3), expand=True)
        table.add_column(style=st["label"], no_wrap=True, ratio=1)
        table.add_column(ratio=2)
        table.add_column(ratio=2)
        table.add_row("", Text("as written", style=st["label"]), Text(f"what-if: {self.label}", style=st["accent"]))
        for key in dict.fromkeys([*self.original, *self.variant]):
            a, b = self.original.get(key, "—"), self.variant.get(key, "—")
            changed = a != b
            table.add_row(key, Text(a), Text(b + ("  ◀ changed" if changed else ""),
                                             style=st["accent"] if changed else ""))
        return table
