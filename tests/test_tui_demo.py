"""Instructor mode, driven by keys as a presenter would: every stop of every shipped playlist is reached at the
position the playlist's script gives, shows its card, reveals the emulator's answer, and its lab's what-if
changes the run shown (Pilot, 120x40)."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest
from textual.widgets import Digits, OptionList, Static

from study import demo
from study.sim.run import simulate
from study.sim.scenario.load import load_scenario
from study.tui.app import make_app, run_demo
from study.tui.screens.demo import DemoScreen
from study.tui.screens.demo_card import CardScreen
from study.tui.screens.demo_help import DemoHelpScreen, whatif_key
from study.tui.screens.demo_picker import DemoPickerScreen, open_demo
from study.tui.widgets.demo_compare import DemoCompare

PLAYLISTS = demo.load_playlists()
SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path / "home"))


def _app():
    app = make_app(clock=lambda: 0.0)
    app.animation_level = "none"
    return app


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _text(widget: Static) -> str:
    return str(widget.content)


def test_three_playlists_are_shipped() -> None:
    assert len(PLAYLISTS) >= 3


def test_whatif_keys_do_not_collide_with_the_presenter_keys() -> None:
    for playlist in PLAYLISTS:
        for item in playlist.items:
            assert item.whatif is not None and whatif_key(item.whatif) == item.whatif.key, (playlist.name, item.lab)


@pytest.mark.slow
@pytest.mark.parametrize("playlist", PLAYLISTS, ids=lambda p: p.name)
def test_every_stop_card_reveal_and_whatif(playlist) -> None:
    async def run() -> None:
        app = _app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            open_demo(app, playlist.name)
            await _settle(pilot)
            screen = app.screen
            assert isinstance(screen, DemoScreen)
            for i, item in enumerate(playlist.items):
                assert screen.index == i
                trace = simulate(load_scenario(item.lab_path))
                variant = simulate(demo.apply_whatif(item.lab_path, item.whatif))
                assert screen.run.lab.title in _text(screen.query_one("#demo-title", Static))
                watch = screen.player_view
                assert watch.model.pos == 0
                for k, stop in enumerate(item.stops):
                    # Space plays to the stop and freezes there, with the stop's card over the run.
                    await pilot.press("space")
                    await _settle(pilot)
                    at = demo.stop_index(trace, stop)
                    assert watch.model.pos == at, (item.lab, k)
                    card = demo.make_card(item.lab_path, stop)
                    card_screen = app.screen
                    assert isinstance(card_screen, CardScreen)
                    assert _text(card_screen.query_one("#card-question", Static)) == card.question
                    assert [o.text for o in card_screen.options()] == card.options
                    assert not any(o.has_class("-revealed") for o in card_screen.options())
                    # r reveals: the emulator's answer is named, the other options say where they come from.
                    await pilot.press("r")
                    await pilot.pause()
                    answer = _text(card_screen.query_one("#card-answer", Static))
                    assert card.options[card.correct] in answer
                    for j, option in enumerate(card_screen.options()):
                        assert option.has_class("-correct") == (j == card.correct)
                        assert option.has_class("-revealed")
                        if card.sources[j] not in ("truth", "lab option", "near number"):
                            assert card.sources[j] in option.why
                    await pilot.press("space")  # back to the run
                    await pilot.pause()
                    assert app.screen is screen
                    assert watch.model.pos == at
                    # The what-if key swaps in the changed lab's run at the same stop, with a banner and the
                    # two outcomes side by side.
                    await pilot.press(item.whatif.key)
                    await _settle(pilot)
                    assert screen.showing_whatif
                    assert watch.model is screen.run.variant.model
                    assert watch.model.pos == demo.stop_index(variant, stop)
                    assert item.whatif.label in _text(screen.query_one("#demo-banner", Static))
                    assert screen.query_one("#demo-banner").display
                    compare = screen.query_one(DemoCompare)
                    assert compare.display and compare.original != compare.variant
                    await pilot.press(item.whatif.key)
                    await pilot.pause()
                    assert not screen.showing_whatif
                    assert watch.model is screen.run.model and watch.model.pos == at
                    assert not screen.query_one("#demo-banner").display
                # Backspace goes back to the previous stop (or the start), c shows that stop's card again.
                await pilot.press("backspace")
                await pilot.pause()
                last = len(item.stops) - 1
                back = demo.stop_index(trace, item.stops[last - 1]) if last else 0
                assert watch.model.pos == back
                # End finishes the lab; the run's outcome then shows in big digits, and the what-if's differs.
                await pilot.press("end")
                await pilot.pause()
                assert watch.model.pos == len(trace["timeline"]) and screen.finished
                runs = screen.query_one("#board-runs-value", Digits)
                assert runs.value == str(trace["summary"]["invocations"])
                await pilot.press(item.whatif.key)
                await _settle(pilot)
                assert watch.model.pos == len(variant["timeline"])
                assert runs.value == str(variant["summary"]["invocations"])
                await pilot.press(item.whatif.key)
                await pilot.pause()
                # Space after the end goes on to the next lab.
                await pilot.press("space")
                await _settle(pilot)
            assert screen.index == len(playlist.items) - 1 and screen.finished
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, DemoScreen)

    asyncio.run(run())


def test_stops_can_be_revisited_and_labs_skipped() -> None:
    playlist = PLAYLISTS[0]
    item = playlist.items[0]
    trace = simulate(load_scenario(item.lab_path))

    async def run() -> None:
        app = _app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            open_demo(app, playlist.name)
            await _settle(pilot)
            screen = app.screen
            await pilot.press("space")
            await _settle(pilot)
            await pilot.press("escape")  # close the card unrevealed
            await pilot.press("c")  # and bring it back
            await pilot.pause()
            assert isinstance(app.screen, CardScreen)
            await pilot.press("escape", "right")  # → steps one event, as in a lab's Watch
            await pilot.pause()
            first = demo.stop_index(trace, item.stops[0])
            assert screen.player_view.model.pos == first + 1
            await pilot.press("backspace")  # between stops: back to the stop last reached
            await pilot.pause()
            assert screen.player_view.model.pos == first and screen.stop == 0
            await pilot.press("backspace")
            await pilot.pause()
            assert screen.player_view.model.pos == 0 and screen.stop == -1
            await pilot.press("n")
            assert screen.has_class("-notes")
            assert item.notes.splitlines()[0] in _text(screen.query_one("#demo-notes-text", Static))
            await pilot.press("n")
            assert not screen.has_class("-notes")
            await pilot.press("question_mark")  # the presenter's keys, with the lab's what-if key
            await pilot.pause()
            assert isinstance(app.screen, DemoHelpScreen)
            assert f"{item.whatif.key} " in _text(app.screen.query_one(Static))
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
            await pilot.press("greater_than_sign")
            await _settle(pilot)
            assert screen.index == 1 and screen.player_view.model.pos == 0
            assert screen.run.lab.title in _text(screen.query_one("#demo-title", Static))
            await pilot.press("less_than_sign")
            await _settle(pilot)
            assert screen.index == 0

    asyncio.run(run())


def test_playing_to_a_stop_freezes_exactly_there() -> None:
    """With animation on, the playback runs on the (injected) clock and stops at the stop, never past it."""
    playlist = PLAYLISTS[0]
    item = playlist.items[0]
    trace = simulate(load_scenario(item.lab_path))
    ticks = itertools.count()

    async def run() -> None:
        app = _app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = DemoScreen(playlist, clock=lambda: next(ticks) * 0.25, animate=True)
            await app.push_screen(screen)
            await _settle(pilot)
            watch = screen.player_view
            target = demo.stop_index(trace, item.stops[0])
            screen.action_advance()  # what space does; called directly so no timer tick runs in between
            assert watch.playing and watch.target == target and watch.model.pos < target
            for _ in range(10_000):
                if watch.target is None:
                    break
                watch._tick()
            await pilot.pause()
            assert watch.model.pos == demo.stop_index(trace, item.stops[0])
            assert not watch.playing
            assert isinstance(app.screen, CardScreen)

    asyncio.run(run())


def test_picker_lists_the_playlists_and_starts_one() -> None:
    async def run() -> None:
        app = _app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            open_demo(app, None)
            await pilot.pause()
            picker = app.screen
            assert isinstance(picker, DemoPickerScreen)
            assert picker.query_one(OptionList).option_count == len(PLAYLISTS)
            await pilot.press("down", "enter")
            await _settle(pilot)
            assert isinstance(app.screen, DemoScreen) and app.screen.playlist.name == PLAYLISTS[1].name
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is picker

    asyncio.run(run())


def test_run_demo_refuses_an_unknown_or_broken_playlist(tmp_path: Path, capsys) -> None:
    assert run_demo("no-such-playlist") == 2
    err = capsys.readouterr().err
    assert "no-such-playlist" in err and PLAYLISTS[0].name in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\ndescription: y\nitems:\n  - lab: not-a-lab\n    stops: [{at: 0}]\n")
    assert run_demo(str(bad)) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4:" in err and "not-a-lab" in err


def test_the_command_palette_offers_every_playlist() -> None:
    async def run() -> None:
        app = _app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            commands = {c.title: c for c in app.get_system_commands(app.screen)}
            for playlist in PLAYLISTS:
                assert f"Demo: {playlist.title}" in commands
            commands[f"Demo: {PLAYLISTS[2].title}"].callback()
            await _settle(pilot)
            assert isinstance(app.screen, DemoScreen) and app.screen.playlist.name == PLAYLISTS[2].name

    asyncio.run(run())
