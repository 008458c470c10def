"""Instructor mode's keys: the help card, and which key toggles a playlist lab's what-if."""

from __future__ import annotations

import string

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# Keys the presenter screen uses itself; a playlist's what-if key must be another letter or digit
# (`w` toggles the what-if of any lab, whatever its own key).
PRESENTER_KEYS = frozenset("cnsw")
WHATIF_KEYS = [k for k in string.ascii_lowercase + string.digits if k not in PRESENTER_KEYS]


def whatif_key(whatif) -> str:
    """The key that toggles this what-if: its own, unless a presenter key or not a letter/digit; then `w`."""
    return whatif.key if whatif is not None and whatif.key in WHATIF_KEYS else "w"


class DemoHelpScreen(ModalScreen[None]):
    """The presenter's keys, in plain text (key names such as [ are not markup here)."""

    DEFAULT_CSS = """
    DemoHelpScreen { align: center middle; }
    DemoHelpScreen > VerticalScroll { width: 84; max-width: 95%; height: auto; max-height: 90%;
                                      border: heavy $foreground; background: $background; padding: 1 2; }
    """
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, whatif, extra: list[str] | None = None) -> None:
        super().__init__()
        self.whatif = whatif
        self.extra = extra or []

    def compose(self) -> ComposeResult:
        key = whatif_key(self.whatif)
        label = self.whatif.label if self.whatif is not None else "(this lab has none)"
        lines = [
            "INSTRUCTOR MODE: THE PRESENTER'S KEYS",
            "",
            "  space → PgDn   play to the next stop; press again to jump there",
            "                 at a stop the card opens: space reveals, space again closes",
            "  Backspace PgUp back to the previous stop (or the lab's start)",
            "  c              the card of this stop again",
            f"  {key:<14} what-if: {label}",
            "                 (swaps with the lab as written; w does the same in every lab)",
            "  → ←  (. ,)     one event forward / back, as in a lab's Watch",
            "  ] [  (+ -)     faster / slower playback, as in a lab's Watch",
            "  Home / End     the lab's start / finish the lab",
            "  > <            next / previous lab of the playlist",
            "  n              presenter notes (hidden by default: they name the answers)",
            "  s              show or hide the setup",
            "  Esc            leave the demo",
            "",
            "On a card: a-d mark the room's answer, r or space reveals, Esc closes.",
            "",
            *self.extra,
            "Esc or ? closes this help.",
        ]
        with VerticalScroll():
            yield Static("\n".join(lines), markup=False)

    def action_close(self) -> None:
        self.dismiss()
