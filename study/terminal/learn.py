"""`study learn [SECTION]`: a lesson in the terminal (Rich Markdown), for use without the TUI."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from study.content import basis_words, lesson_for, load_lessons, load_rules


def learn(section: str | None, console: Console | None = None) -> int:
    console = console or Console()
    if not section:
        table = Table(title="Chapter 18: Serverless, Lambda", header_style="bold")
        table.add_column("section")
        table.add_column("lesson")
        table.add_column("rules", justify="right")
        for lesson in load_lessons():
            table.add_row(lesson.section, lesson.title, str(len(lesson.rules)))
        console.print(table)
        console.print("Read one with [bold]study learn 18.6[/] (or just [bold]study learn 6[/]).")
        return 0
    lesson = lesson_for(section)
    if lesson is None:
        print(f"study learn: no lesson for {section!r}; expected a section 18.1 to 18.20, e.g. 18.6",
              file=sys.stderr)
        return 2
    console.print(Markdown(lesson.body))
    rules = load_rules().rules
    table = Table(title="Rules this lesson teaches", header_style="bold", show_lines=False)
    table.add_column("id")
    table.add_column("statement")
    table.add_column("basis")
    for rid in lesson.rules:
        if rid in rules:
            table.add_row(rid, rules[rid]["statement"], basis_words(rules[rid]))
    console.print(table)
    return 0
