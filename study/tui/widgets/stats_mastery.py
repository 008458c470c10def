"""Mastery per section: each section's mean recall probability as a bar, with how many of its rules you have met."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.widget import Widget

from study.tui import palette


class StatsMastery(Widget):
    DEFAULT_CSS = """
    StatsMastery { height: auto; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mastery: Mapping = {}
        self.titles: Mapping[str, str] = {}

    def show(self, mastery: Mapping, titles: Mapping[str, str]) -> None:
        """`mastery`: section -> study.learning.store.SectionMastery."""
        self.mastery = mastery
        self.titles = titles
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self.mastery) + 1)

    def render(self) -> Text:
        st = palette.styles(self.app)
        width = max(40, self.content_size.width)
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self.mastery:
            text.append("No sections yet.", style=st["muted"])
            return text
        text.append("chance of recall at the next review, by section (rules never practised count 0), and "
                    "accuracy\n", style=st["muted"])
        title_w = max(8, min(40, width - 62))
        bar_w = max(6, width - title_w - 24)
        for section, m in self.mastery.items():
            title = (self.titles.get(section, "") or "")[:title_w].ljust(title_w)
            filled = round(m.mastery * bar_w)
            text.append(f"{section:<6}", style=st["accent"])
            text.append(f"{title} ", style=st["label"] if m.reviewed else st["muted"])
            colour = st["success"] if m.mastery >= 0.8 else (st["warning"] if m.mastery >= 0.5 else st["error"])
            text.append("█" * filled, style=colour if m.reviewed else st["muted"])
            text.append("░" * (bar_w - filled), style=st["muted"])
            text.append(f" {m.mastery:4.0%} ", style=st["label"] if m.reviewed else st["muted"])
            acc = getattr(m, "accuracy", None)
            if acc is not None and acc.total:
                text.append(f"{acc.correct}/{acc.total} right ", style=st["label"])
            text.append(f"{m.reviewed}/{m.total} rules\n", style=st["muted"])
        text.rstrip()
        return text
