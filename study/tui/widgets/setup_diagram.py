"""The lab's setup as the learner must see it before predicting: source → queue or mapping → function →
DLQ and destinations, the settings by their AWS names, and what the handler does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from study.tui import palette


class SetupDiagram(Widget):
    DEFAULT_CSS = """
    SetupDiagram { height: auto; width: 1fr; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.setup = None

    def show(self, setup) -> None:
        self.setup = setup
        self.refresh(layout=True)

    def _flow(self, width: int, st: dict) -> Text:
        """The boxes joined by arrows, wrapped onto as few lines as the width allows."""
        s = self.setup
        boxes = [(s.source, st["label"]), (s.path, f"italic {st['label']}"), (s.function, st["cursor"]),
                 (" · ".join(s.failure), st["muted"] if "no DLQ" in s.failure[0] else st["error"])]
        text = Text()
        used = 0
        for i, (label, style) in enumerate(boxes):
            box = f" {label} "
            if i:
                if used + 4 + len(box) > width:
                    text.append("\n")
                    used = 0
                text.append(" ─▶ ", style=st["muted"])
                used += 4
            text.append(box, style=style)
            used += len(box)
        return text

    def render(self):
        st = palette.styles(self.app)
        if self.setup is None:
            return Text("reading the scenario…", style=st["muted"])
        s = self.setup
        width = max(20, self.size.width - 2)
        table = Table.grid(padding=(0, 2))
        table.add_column(style=st["label"], no_wrap=True)
        table.add_column(overflow="fold")
        for name, value in s.settings:
            table.add_row(Text(name), Text(value))
        from rich.console import Group

        behaviour = Text()
        behaviour.append("handler: ", style=st["label"])
        behaviour.append("; ".join(s.behaviour))  # wrapped by the widget, never cut
        parts: list = [self._flow(width, st), Text(""), table, Text(""), behaviour]
        if s.handler_source is not None:
            from rich.syntax import Syntax

            parts.append(Text(f"{s.handler_file}:", style=st["muted"]))
            parts.append(Syntax(s.handler_source.rstrip("\n"), "python", line_numbers=True, word_wrap=True,
                                theme="ansi_dark" if self.app.current_theme.dark else "ansi_light"))
        parts.append(Text(""))
        if s.input_lines:
            inputs = Table.grid(padding=(0, 2))
            inputs.add_column(style=st["label"], no_wrap=True)
            inputs.add_column(overflow="fold")
            for head, rest in s.input_lines:
                inputs.add_row(Text(head), Text(rest))
            parts += [Text("inputs", style=st["label"]), inputs]
        else:
            parts.append(Text("inputs: " + s.inputs))
        return Group(*parts)

    def get_content_height(self, container, viewport, width: int) -> int:
        if self.setup is None:
            return 1
        return super().get_content_height(container, viewport, width)
