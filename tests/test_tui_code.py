"""Pilot test of the Code screen: open a challenge from the map, edit, run, read the checks, watch the graded run;
the code comes back next time; a handler that loops forever leaves the app responsive."""

from __future__ import annotations

import os
import time

from textual.widgets import Static, TabbedContent, TextArea

from study.challenges.model import find_challenge
from study.tui.screens.code import ChallengesScreen, CodeScreen
from study.tui.widgets.watch_view import WatchView
from tests.test_tui_app import run as run_app
from tests.test_tui_app import settle  # noqa: F401 - the tests below use it


def run(coro_fn, size=(140, 40)):
    run_app(coro_fn, size=size)


async def wait_for(pilot, condition, seconds: float = 30.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        await pilot.pause(0.05)


def test_edit_run_and_watch_a_challenge(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path))
    challenge = find_challenge("s3-object-keys")

    async def check(app, pilot):
        await settle(app, pilot)
        # From the map: section 18.9, c lists its challenges, Enter opens the one there.
        from study.tui.widgets.section_map import SectionMap

        smap = app.screen.query_one(SectionMap)
        smap.cursor = smap.sections.index("18.9")
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, ChallengesScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CodeScreen)
        editor = screen.query_one("#code-editor", TextArea)
        assert editor.text == challenge.starter
        assert "URL-encoded" in str(screen.query_one("#code-brief", Static).render())
        # Run the starter: the key check fails, naming the rule and the wrong keys.
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.result is not None)
        await settle(app, pilot)
        results = str(screen.query_one("#code-results", Static).render())
        assert "✗ real keys" in results and "s3.event-shape" in results
        assert not screen.result.passed
        # Edit: type the fix into the editor (as a learner would), run again.
        editor.focus()
        editor.load_text("")
        await pilot.press(*list("from urllib.parse import unquote_plus"), "enter")
        editor.insert(challenge.solution.split("\n", 1)[1])
        await pilot.pause(0.8)  # the save-as-you-type timer
        await settle(app, pilot)
        assert app.store.challenge_code("s3-object-keys") == editor.text
        screen.result = None
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.result is not None)
        await settle(app, pilot)
        assert screen.result.passed, str(screen.query_one("#code-results", Static).render())
        assert app.store.challenge_bests()["s3-object-keys"][0] is True
        # Watch the graded run.
        await pilot.press("f2")
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "watch"
        assert screen.query_one(WatchView).model is not None
        await pilot.press("escape")  # back to the code
        # After a graded run the model solution opens (read-only, beside the learner's own code).
        await pilot.press("f3")
        await pilot.pause()
        assert type(app.screen).__name__ == "SolutionScreen"
        assert app.screen.query_one("#solution-code", TextArea).text == challenge.solution
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("escape")  # back to the list
        await settle(app, pilot)
        assert isinstance(app.screen, ChallengesScreen)

    run(check)


def test_code_comes_back_and_a_runaway_handler_leaves_the_app_responsive(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path))
    from study.learning.store import Store

    store = Store()
    store.save_challenge_code("context-remaining-time", "def handler(event, context):\n    while True:\n        pass\n")
    store.close()

    async def check(app, pilot):
        app.open_challenge("context-remaining-time")
        await settle(app, pilot)
        screen = app.screen
        editor = screen.query_one("#code-editor", TextArea)
        assert "while True" in editor.text  # saved code, not the starter
        started = time.monotonic()
        await pilot.press("ctrl+r")
        await pilot.pause(0.3)
        # While the child loops, the app still takes keys (the editor still edits).
        editor.focus()
        await pilot.press("end", "x")
        assert screen.result is None and "context):x" in editor.text
        await wait_for(pilot, lambda: screen.result is not None, 60)
        assert time.monotonic() - started < 30
        results = str(screen.query_one("#code-results", Static).render())
        assert "Task timed out after 1.00 seconds" in results

    run(check)


def test_typing_then_leaving_at_once_keeps_the_code(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path))

    async def check(app, pilot):
        app.open_challenge("sns-envelope")
        await settle(app, pilot)
        editor = app.screen.query_one("#code-editor", TextArea)
        editor.focus()
        await pilot.press(*list("# mine"), "enter")
        typed = editor.text
        assert typed.startswith("# mine\n")
        await pilot.press("escape")  # before the save timer fires
        await settle(app, pilot)
        assert app.store.challenge_code("sns-envelope") == typed
        # The solution stays closed until a first graded run.
        app.open_challenge("sns-envelope")
        await settle(app, pilot)
        assert app.screen.query_one("#code-editor", TextArea).text == typed
        await pilot.press("f3")
        await pilot.pause()
        assert type(app.screen).__name__ == "CodeScreen"

    run(check)


def test_stats_show_solved_challenges(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path))
    from study.learning.store import Store

    store = Store()
    store.record_challenge_run("sns-envelope", True, 2, 2, "code", ["sns.async"])
    store.record_challenge_run("alb-response", False, 3, 5, "code", ["alb.response-format"])
    store.close()

    async def check(app, pilot):
        app.open_stats()
        await settle(app, pilot)
        assert "1 coding challenge solved" in str(app.screen.query_one("#stats-retention", Static).render())
        await pilot.press("6")
        await pilot.pause()
        rows = app.screen.data.code_rows
        assert ("sns-envelope", "18.6", "Open the SNS envelope", (True, 2, 2)) in rows
        assert next(r for r in rows if r[0] == "alb-response")[3] == (False, 3, 5)
        from rich.console import Console

        from study.tui.screens.stats import code_table

        console = Console(width=120, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(code_table(rows))
        lines = console.export_text().splitlines()
        assert lines[1].startswith("✓") and "Open the SNS envelope" in lines[1]  # solved first
        assert any("3/5 checks" in line and line.startswith("✗") for line in lines)

    run(check)


def test_palette_has_every_challenge_and_this_challenges_actions(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path))

    async def check(app, pilot):
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert sum(t.startswith("Code 18.") for t in titles) == len(app.challenges) >= 12
        app.open_challenge("sns-envelope")
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "This challenge: Run" in titles and "This challenge: Watch" in titles

    run(check)
