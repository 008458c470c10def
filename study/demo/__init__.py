"""Instructor playlists (content/demos/*.yaml) without the UI: labs with scripted stops, prediction cards and a
what-if per lab. The presenter screen (study/tui/screens/demo.py) and the live classroom play what this package
prepares.

- `playlist`: a playlist read and validated (file:line:col), found by name, its labs' what-ifs applied;
- `cards`: where a stop freezes the run, the A-D card whose wrong options come from misconception runs, and why;
- `prepare`: one lab of a playlist run and placed for the presenter, and the rows its what-if is compared by;
- `check`: `study check` for the playlists.
"""

from study.demo.cards import LETTERS, Card, card_whys, make_card, stop_index, why_text
from study.demo.check import check_demos
from study.demo.playlist import (
    DemoItem,
    Playlist,
    Stop,
    WhatIf,
    apply_whatif,
    demos_dir,
    find_playlist,
    load_playlist,
    load_playlists,
    playlist_or_say,
    playlist_titles,
)
from study.demo.prepare import ItemRun, Variant, ignored_failures, outcome_rows, prepare_item, prepare_variant

__all__ = [
    "LETTERS", "Card", "DemoItem", "ItemRun", "Playlist", "Stop", "Variant", "WhatIf",
    "apply_whatif", "card_whys", "check_demos", "demos_dir", "find_playlist", "ignored_failures", "load_playlist",
    "load_playlists", "make_card", "outcome_rows", "playlist_or_say", "playlist_titles", "prepare_item",
    "prepare_variant", "stop_index", "why_text",
]
