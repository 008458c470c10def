"""The live classroom's faces, driven by keys (Pilot): the presenter's screen publishes the scene, opens the
stop's card in the room, keeps the histogram hidden until the reveal, and ends on the class summary; a terminal
student (`study join`) answers over HTTP from a JoinApp against a loopback server."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Digits, Static

from study import demo
from study.classroom.client import ClassClient, TokenFile
from study.classroom.room import Room
from study.classroom.server import ClassServer
from study.classroom.store import ClassStore
from study.tui.app import make_app
from study.tui.join import JoinApp
from study.tui.screens.classroom import ClassCardScreen, ClassScreen, ClassSummaryScreen, histogram_lines

PLAYLIST = demo.load_playlist(demo.demos_dir() / "stream-poison-record.yaml")
SIZE = (120, 44)


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path / "home"))


@pytest.fixture
def room(tmp_path):
    store = ClassStore(tmp_path / "class.sqlite3")
    yield Room.open(store, PLAYLIST.name, PLAYLIST.title)
    store.close()


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _text(widget: Static) -> str:
    return str(widget.content)


def test_histogram_lines_mark_the_right_option_only_when_known() -> None:
    hidden = histogram_lines(["3", "4"], [3, 1], None)
    assert "75%" in hidden[0] and "25%" in hidden[1] and not any("✓" in line for line in hidden)
    assert "✓ right" in histogram_lines(["3", "4"], [3, 1], 1)[1]


def test_presenter_opens_cards_in_the_room_and_hides_the_histogram_until_the_reveal(room) -> None:
    students = [room.join(None, f"s{i}") for i in range(3)]

    async def run() -> None:
        app = make_app(clock=lambda: 0.0)
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = ClassScreen(PLAYLIST, room, "http://127.0.0.1:8000", animate=False)
            app.push_screen(screen)
            await _settle(pilot)
            assert screen.query_one("#class-code", Digits).value == room.code
            assert "3 joined" in _text(screen.query_one("#class-join", Static))
            assert "setup" in room.scene["text"] and room.scene["item"] == 0
            await pilot.press("space")
            await _settle(pilot)
            card_screen = app.screen
            assert isinstance(card_screen, ClassCardScreen)
            card = demo.make_card(PLAYLIST.items[0].lab_path, PLAYLIST.items[0].stops[0])
            assert room.current == "1.1" and room.cards["1.1"].card["options"] == card.options
            assert "Stop 1 of 2" in room.scene["text"]
            wrong = (card.correct + 1) % len(card.options)
            room.answer(students[0], "1.1", card.correct)
            room.answer(students[1], "1.1", wrong)
            room.answer(students[2], "1.1", wrong)
            await pilot.pause(0.3)
            assert "3 of 3 students answered" in _text(card_screen.query_one("#card-room", Static))
            hist = card_screen.query_one("#card-hist", Static)
            assert not hist.display  # hidden until the reveal
            await pilot.press("h")  # ...unless the presenter asks for it
            await pilot.pause()
            assert hist.display and "✓" not in _text(hist)
            await pilot.press("h")
            await pilot.pause()
            assert not hist.display
            await pilot.press("r")
            await pilot.pause(0.3)
            assert room.cards["1.1"].revealed and hist.display
            lines = _text(hist).splitlines()
            assert "✓ right" in lines[card.correct] and "33%" in lines[card.correct]
            assert "67%" in lines[wrong]
            assert "33% of the room right" in _text(card_screen.query_one("#card-answer", Static))
            await pilot.press("space")  # back to the run: the card closes in the room
            await pilot.pause()
            assert app.screen is screen and room.current is None and room.last == "1.1"
            await pilot.press("S")
            await pilot.pause()
            summary = app.screen
            assert isinstance(summary, ClassSummaryScreen)
            text = _text(summary.query_one("#summary-text", Static))
            assert "Card 1.1" in text and "3 answered · 33% right" in text and "Joined: s0, s1, s2" in text
            assert f"most chosen wrong: {'ABCD'[wrong]}" in text
            await pilot.press("e")
            await pilot.pause()
            saved = _text(summary.query_one("#summary-saved", Static)).removeprefix("Saved: ")
            assert open(saved, encoding="utf-8").read().splitlines()[1].startswith("1.1,")

    asyncio.run(run())


def test_a_resumed_room_opens_at_its_lab_and_shows_a_revealed_card_as_revealed(room) -> None:
    room.set_scene({"item": 1, "stop": -1, "text": "Lab 2 of 2"})
    card = demo.make_card(PLAYLIST.items[1].lab_path, PLAYLIST.items[1].stops[0])
    room.open_card("2.1", {"question": card.question, "options": card.options, "correct": card.correct,
                           "sources": card.sources, "whys": demo.card_whys(card), "where": "", "lab": "x",
                           "stop": 0})
    room.reveal()
    room.close_card()

    async def run() -> None:
        app = make_app(clock=lambda: 0.0)
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = ClassScreen(PLAYLIST, room, "http://127.0.0.1:8000", animate=False)
            app.push_screen(screen)
            await _settle(pilot)
            assert screen.index == 1
            await pilot.press("space")
            await _settle(pilot)
            assert isinstance(app.screen, ClassCardScreen) and app.screen.revealed

    asyncio.run(run())


def test_a_terminal_student_answers_and_sees_the_result(room, tmp_path) -> None:
    server = ClassServer(room, "127.0.0.1", 0, poll_seconds=0.5)
    server.start_in_thread()
    card = demo.make_card(PLAYLIST.items[0].lab_path, PLAYLIST.items[0].stops[0])
    payload = {"question": card.question, "options": card.options, "correct": card.correct,
               "sources": card.sources, "whys": demo.card_whys(card), "where": "Stop 1", "lab": "x", "stop": 0}
    tokens = TokenFile(tmp_path / "tokens.json")

    async def run() -> None:
        client = ClassClient(f"http://127.0.0.1:{server.port}", room.code.lower(), tokens)
        app = JoinApp(client, client.join("Ada"))
        async with app.run_test(size=(90, 40)) as pilot:
            await pilot.pause()
            room.set_scene({"text": "Lab 1 of 2: the poison record"})
            for _ in range(40):  # the long poll brings the scene (bounded wait)
                await pilot.pause(0.05)
                if "poison record" in _text(app.query_one("#join-scene", Static)):
                    break
            assert "poison record" in _text(app.query_one("#join-scene", Static))
            room.open_card("1.1", payload)
            for _ in range(40):
                await pilot.pause(0.05)
                if app.view.get("card"):
                    break
            assert card.question in _text(app.query_one("#join-question", Static))
            await pilot.press("abcd"[card.correct])
            for _ in range(40):
                await pilot.pause(0.05)
                if room.cards["1.1"].answers:
                    break
            assert list(room.cards["1.1"].answers.values()) == [card.correct]
            room.reveal()
            for _ in range(40):
                await pilot.pause(0.05)
                if (app.view.get("card") or {}).get("state") == "revealed":
                    break
            assert _text(app.query_one("#join-verdict", Static)).startswith("Right")
            assert "✓" in _text(app.query_one("#join-explain", Static))

    try:
        asyncio.run(run())
    finally:
        server.stop_thread()
    # The token is kept in the file: a restarted `study join` is the same student.
    again = ClassClient(f"http://127.0.0.1:{server.port}", room.code, tokens)
    assert again.token is not None and again.token in room.students and room.students[again.token] == "Ada"
