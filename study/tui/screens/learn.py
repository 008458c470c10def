"""Learn: a section's lesson as Markdown with its table of contents; its labs and questions one key away."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from study.content import top_section
from study.tui.catalog import SECTIONS


class LearnScreen(Screen):
    BINDINGS = [
        Binding("l", "labs", "Labs"),
        Binding("c", "code", "Code"),
        Binding("q", "questions", "Questions"),
        Binding("n", "next(1)", "Next section"),
        Binding("p", "next(-1)", "Previous"),
        Binding("t", "toc", "Contents"),
        Binding("escape", "home", "Map"),
    ]

    def __init__(self, section: str = "18.1") -> None:
        super().__init__()
        self.section = section

    def compose(self) -> ComposeResult:
        from textual.widgets import MarkdownViewer  # Markdown is costly to import: only when a lesson opens

        yield Header(show_clock=False, icon="λ")
        yield Static("", id="learn-links")
        yield MarkdownViewer("", show_table_of_contents=True, id="lesson")
        yield Footer()

    def on_mount(self) -> None:
        from textual.widgets import MarkdownViewer

        viewer = self.query_one(MarkdownViewer)
        viewer.show_table_of_contents = self.app.size.width >= 110
        self.show_section(self.section)

    def show_section(self, section: str) -> None:
        from textual.widgets import MarkdownViewer

        from study.content import lesson_for

        self.section = section
        lesson = lesson_for(section)
        self.title = f"{section} {lesson.title}" if lesson else section
        self.sub_title = "lesson"
        labs = [e for e in (getattr(self.app, "labs", None) or []) if e.top_section == section]
        counts = getattr(self.app, "question_counts", None) or {}
        code = sum(1 for _c, s, _t in (getattr(self.app, "challenges", None) or [])
                   if top_section(s) == section)
        done = self.app.labs_done(section)[0] if hasattr(self.app, "labs_done") else 0
        links = (f"[b]l[/] {len(labs)} lab{'s' if len(labs) != 1 else ''}"
                 f"{f' ({done} done)' if done else ''} · [b]c[/] {code} coding "
                 f"challenge{'s' if code != 1 else ''} · [b]q[/] {counts.get(section, 0)} "
                 f"questions · [b]n[/]/[b]p[/] next/previous section · [b]t[/] contents")
        self.query_one("#learn-links", Static).update(links)
        body = lesson.body if lesson else f"# {section}\n\nNo lesson for this section yet."
        viewer = self.query_one(MarkdownViewer)
        viewer.document.update(body)
        viewer.scroll_home(animate=False)
        viewer.focus()

    def action_next(self, delta: int) -> None:
        i = SECTIONS.index(self.section) if self.section in SECTIONS else 0
        self.show_section(SECTIONS[(i + delta) % len(SECTIONS)])

    def action_toc(self) -> None:
        from textual.widgets import MarkdownViewer

        viewer = self.query_one(MarkdownViewer)
        viewer.show_table_of_contents = not viewer.show_table_of_contents

    def action_labs(self) -> None:
        self.app.open_labs(self.section)

    def action_code(self) -> None:
        self.app.open_code(self.section)

    def action_questions(self) -> None:
        self.app.open_questions(self.section)

    def action_home(self) -> None:
        self.app.go_home()
