"""`study check` for the playlists: each one loads, every card has options, every named distractor shows."""

from __future__ import annotations

from study.demo.cards import make_card
from study.demo.playlist import demos_dir, load_playlist
from study.sim.errors import ScenarioError


def check_demos() -> tuple[list[str], int]:
    problems: list[str] = []
    files = sorted(demos_dir().glob("*.yaml"))
    for path in files:
        try:
            playlist = load_playlist(path)
            problems.extend(f"{path}: skips a lab: {why}" for why in playlist.skipped)
            for item in playlist.items:
                for stop in item.stops:
                    card = make_card(item.lab_path, stop)
                    if len(card.options) < 2:
                        problems.append(f"{path}: lab {item.lab}: a card needs at least two options")
                    for mid in stop.distractors:
                        if mid not in card.sources:
                            # A named distractor must be one of the room's options, or the playlist misleads.
                            problems.append(f"{path}: lab {item.lab}, question {stop.predict}: the distractor "
                                            f"{mid!r} gives no option of its own on the card (it yields the "
                                            "true answer or repeats another option)")
        except ScenarioError as err:
            problems.append(str(err))
    if len(files) < 3:
        problems.append(f"{demos_dir()}: expected at least three playlists, found {len(files)}")
    return problems, len(files)
