"""The ? screen: the keys of the screen underneath, and what the chips and marks mean."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from study import playback as pm
from study.tui import palette

GENERAL = """\
[b]Everywhere[/]
  ?            this help          ctrl+p   command palette (screens, sections, every lab, themes)
  Esc          back               ctrl+q   quit
[b]A lab[/]
  1 Predict   the setup; answer each question (Tab/Enter moves on), then commit
  2 Watch     Space play/pause · ←/→ step · \\[ ] slower/faster · Home/End · PgUp/PgDn ±25
              j the event and response JSON of the run on the latest log line
  3 Explain   your prediction beside the outcome; g jumps to the first divergence; o its lesson
  4 What-if   pick a setting, ←/→ a value (or type one), Enter runs it again; w watches it, o the original
"""


class HelpScreen(ModalScreen):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 110; height: 90%; border: round $primary;
                                  background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("question_mark", "dismiss", "Close"),
                Binding("q", "dismiss", "Close", show=False)]

    def __init__(self, keys: list[tuple[str, str]], where: str) -> None:
        super().__init__()
        self.keys = keys
        self.where = where

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._text())

    def _text(self) -> Content:
        # Key labels such as [ and ] are plain text, never markup: the key lines are built as Content, not parsed.
        parts: list[Content] = [Content.styled(f"Keys here ({self.where})", "bold"), Content("\n")]
        for key, desc in self.keys:
            parts.append(Content(f"  {key:<12} {desc}\n"))
        lines = ["", GENERAL, "[b]Records in Watch[/]"]
        for s in palette.LEGEND_ORDER:
            extra = ("  (on a stream: discarded; its batch's metadata sent to the on-failure destination)"
                     if s == pm.DEAD else "")
            lines.append(f"  {palette.SYMBOLS[s]}  {pm.STATE_NAMES[s]}{extra}")
        lines.append("  functions: λN ❄ starting (cold start) · λN ▶ running · λN idle (warm, reusable)")
        lines.append("  timeline: ▲ playhead · ◆ your predicted times · ✖ first divergence")
        lines.append("")
        lines.append("[dim]Esc or ? closes[/]")
        parts.append(Content.from_markup("\n".join(lines)))
        return Content.assemble(*parts)

    def action_dismiss(self) -> None:
        self.dismiss()
