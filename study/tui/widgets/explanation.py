"""Explain: each prediction beside the outcome, the first divergence, and the rule and section behind it."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from study.lab.grading import Verdict
from study.tui import palette


class Explanation(Widget):
    DEFAULT_CSS = """
    Explanation { height: auto; width: 1fr; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.verdicts: list[Verdict] | None = None
        self.message = "Commit your predictions first (1 Predict), or press r here to reveal without predicting."
        self.rules: list[tuple[str, str, str]] = []  # id, statement, section
        self.first_number: int | None = None
        self.refused: str | None = None
        self.debrief = ""
        self.revealed = False

    def show(self, verdicts: list[Verdict], rules: list[tuple[str, str, str]], refused: str | None = None,
             first_number: int | None = None, debrief: str = "", revealed: bool = False) -> None:
        self.verdicts = verdicts
        self.debrief = debrief
        self.revealed = revealed
        self.first_number = first_number
        self.rules = rules
        self.refused = refused
        self.refresh(layout=True)

    def render(self):
        st = palette.styles(self.app)
        if self.verdicts is None:
            return Text(self.message, style=st["muted"])
        right = sum(1 for v in self.verdicts if v.right)
        asked = sum(1 for v in self.verdicts if v.right is not None)
        head = Text()
        head.append(f"{right} of {len(self.verdicts)} right", style=st["success"] if right == len(self.verdicts)
                    else st["label"])
        if asked < len(self.verdicts):
            head.append(f" ({len(self.verdicts) - asked} not predicted)", style=st["muted"])
        if self.revealed:
            head.append("  · revealed without predicting", style=st["muted"])
        parts: list = [head]
        if self.refused:
            parts.append(Text(f"AWS refuses this configuration: {self.refused}", style=st["error"]))
        table = Table(expand=True, show_edge=False, pad_edge=False, box=None, header_style=st["muted"])
        table.add_column("", width=2, no_wrap=True)
        table.add_column("question", ratio=3, overflow="fold")
        table.add_column("you said", ratio=2, overflow="fold")
        table.add_column("it was", ratio=2, overflow="fold")
        for v in self.verdicts:
            mark = Text("–", style=st["muted"]) if v.right is None else (
                Text("✓", style=st["success"]) if v.right else Text("✗", style=st["error"]))
            table.add_row(mark, Text(f"{v.number}. {v.question}"), Text(v.predicted or "—", style=st["accent"]),
                          Text(v.actual, style=st["label"]))
        parts += [Text(""), table]
        if self.debrief:
            parts += [Text(""), Text("What happened", style=st["label"]), Text(self.debrief)]
        first = next((v for v in self.verdicts if v.number == self.first_number), None)
        if first is not None:
            parts.append(Text(""))
            line = Text("First divergence: ", style=st["error"])
            where = f"t = {first.t:g} s, " if first.t is not None else ""
            line.append(f"{where}{first.when} (question {first.number})")
            parts.append(line)
            if first.rule_id:
                rule = Text("Why: ", style=st["label"])
                rule.append(first.rule_text or first.rule_id)
                rule.append(f"  [{first.rule_id}, §{first.section}]", style=st["muted"])
                parts.append(rule)
            parts.append(Text("g shows that moment in Watch · o opens the section's lesson", style=st["muted"]))
        for v in self.verdicts:
            if v.right is False and v is not first:
                line = Text(f"Q{v.number}: ", style=st["label"])
                where = f"t = {v.t:g} s, " if v.t is not None else ""
                line.append(f"{where}{v.when}")
                if v.rule_id:
                    line.append(f"  [{v.rule_id}, §{v.section}]", style=st["muted"])
                parts.append(line)
        if self.rules:
            parts.append(Text(""))
            parts.append(Text("The rules in this lab", style=st["label"]))
            for rid, statement, section in self.rules:
                line = Text(f"§{section} ", style=st["muted"])
                line.append(statement)
                line.append(f"  [{rid}]", style=st["muted"])
                parts.append(line)
        return Group(*parts)
