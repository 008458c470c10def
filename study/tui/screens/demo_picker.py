"""Instructor mode's way in: the playlists of content/demos to choose from, and opening one by name."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from study.demo import demos_dir, find_playlist, load_playlist
from study.tui.screens.demo import DemoScreen


class DemoPickerScreen(Screen):
    """The playlists in content/demos; Enter starts one."""

    DEFAULT_CSS = """
    DemoPickerScreen { background: $background; }
    DemoPickerScreen #picker-heading { height: auto; padding: 1 2; text-style: bold; background: $foreground;
                                       color: $background; }
    DemoPickerScreen #picker-problem { height: auto; padding: 0 2; color: $error; }
    DemoPickerScreen OptionList { height: 1fr; border: heavy $primary; padding: 1 1; background: $background; }
    """
    BINDINGS = [Binding("escape", "leave", "Leave")]

    def __init__(self) -> None:
        super().__init__()
        self.playlists: list = []
        self.title = "Instructor mode"

    def compose(self) -> ComposeResult:
        yield Static("Instructor mode: choose a playlist (↑/↓, Enter). In a demo: space next stop, r reveal, "
                     "n notes, > next lab, Esc back here.", id="picker-heading")
        yield Static("", id="picker-problem", markup=False)
        yield OptionList(id="picker-list")
        yield Footer()

    def on_mount(self) -> None:
        from study.sim.errors import ScenarioError

        problems = []
        option_list = self.query_one(OptionList)
        for path in sorted(demos_dir().glob("*.yaml")):
            try:
                playlist = load_playlist(path)
            except ScenarioError as err:
                problems.append(str(err))
                continue
            self.playlists.append(playlist)
            stops = sum(len(i.stops) for i in playlist.items)
            desc = " ".join(playlist.description.split())
            skipped = f" · {len(playlist.skipped)} lab(s) skipped: cannot be played" if playlist.skipped else ""
            if self.playlists[:-1]:
                option_list.add_option(None)  # a rule between playlists
            option_list.add_option(Option(f"[b]{_escape(playlist.title)}[/]\n{_escape(desc)}\n"
                                          f"[dim]{len(playlist.items)} labs · {stops} stops · {playlist.name}"
                                          f"{skipped}[/]"))
        problem = self.query_one("#picker-problem", Static)
        problem.update("\n".join(problems))
        problem.display = bool(problems)
        if not self.playlists and not problems:
            problem.update(f"No playlists in {demos_dir()}.")
            problem.display = True
        option_list.highlighted = 0 if self.playlists else None
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.app.push_screen(DemoScreen(self.playlists[event.option_index]))

    def action_leave(self) -> None:
        self.app.pop_screen()


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def open_demo(app: App, name: Any = None) -> None:
    """Push the picker (no name) or the demo of one playlist (a name, a path or a loaded Playlist)."""
    if name is None:
        app.push_screen(DemoPickerScreen())
        return
    from study.sim.errors import ScenarioError

    try:
        playlist = find_playlist(name) if isinstance(name, str) else name
    except ScenarioError as err:
        app.notify(str(err), title="This playlist cannot be played", severity="error", timeout=10)
        return
    if playlist is None:
        app.notify(f"{name!r} is not a playlist in content/demos.", severity="error")
        return
    app.push_screen(DemoScreen(playlist))
