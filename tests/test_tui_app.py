"""Pilot tests of each screen: the map, a lesson, the labs list, questions, help, the palette, and a lab's
predict, watch, explain and what-if. Fixed sizes, no animations, a fake playback clock, no wall-clock sleeps."""

from __future__ import annotations

import asyncio
from pathlib import Path

from study import paths
from study.tui.app import make_app
from study.tui.catalog import SECTIONS
from study.tui.screens.lab import LabScreen
from study.tui.widgets.explanation import Explanation
from study.tui.widgets.section_map import SectionMap
from study.tui.widgets.watch_view import WatchView
from study.tui.widgets.whatif_panel import WhatIfPanel

SCEN = Path(__file__).parent / "snapshots" / "scenarios"


def run(coro_fn, lab_file=None, size=(80, 24), clock=None):
    async def main():
        app = make_app(lab_file=str(lab_file) if lab_file else None, clock=clock or (lambda: 0.0))
        app.animation_level = "none"
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await coro_fn(app, pilot)

    asyncio.run(main())


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def reveal(app, pilot, tab: str = "2") -> None:
    """Open a locked tab before committing: the reveal is asked for, and confirmed."""
    await pilot.press(tab)
    await pilot.pause()
    assert type(app.screen).__name__ == "ConfirmReveal"
    await pilot.press("y")
    await pilot.pause()
    assert isinstance(app.screen, LabScreen) and app.screen.committed and app.screen.revealed


def test_home_is_the_chapter_map() -> None:
    async def check(app, pilot):
        smap = app.screen.query_one(SectionMap)
        assert smap.sections == SECTIONS and len(SECTIONS) == 20
        assert smap.has_focus and smap.section == "18.1"
        await pilot.press("right", "down")
        assert smap.section == "18.6"
        await settle(app, pilot)  # labs and questions counted after the first frame
        assert app.labs and sum(smap.labs.values()) == len(app.labs)
        assert smap.questions.get("18.6", 0) > 0

    run(check)


def test_enter_opens_the_lesson_and_n_moves_on() -> None:
    async def check(app, pilot):
        await pilot.press("right", "down", "enter")
        await settle(app, pilot)
        screen = app.screen
        assert type(screen).__name__ == "LearnScreen" and screen.section == "18.6"
        assert screen.title.startswith("18.6")
        await pilot.press("n")
        assert screen.section == "18.7"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"

    run(check)


def test_labs_list_opens_a_lab() -> None:
    async def check(app, pilot):
        await settle(app, pilot)
        await pilot.press("right", "down", "l")  # 18.6's labs
        await pilot.pause()
        screen = app.screen
        assert type(screen).__name__ == "LabsScreen" and screen.section == "18.6"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, LabScreen) and app.screen.loaded.lab.section.startswith("18.6")

    run(check)


def test_questions_give_feedback_for_every_option() -> None:
    async def check(app, pilot):
        await pilot.press("q")
        await settle(app, pilot)
        screen = app.screen
        assert type(screen).__name__ == "QuestionsScreen" and screen.items
        await pilot.press("enter")
        feedback = str(screen.query_one("#question-feedback").render())
        assert ("Right" in feedback) or ("Not quite" in feedback)
        assert feedback.count("✓") + feedback.count("✗") >= len(screen.items[0]["options"])

    run(check)


def test_help_and_palette_list_screens_and_labs() -> None:
    async def check(app, pilot):
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Home: the chapter map" in titles and "Labs: every lab" in titles
        assert sum(t.startswith("Learn 18.") for t in titles) == 20
        assert sum(t.startswith("Lab ") for t in titles) == len(list(paths.labs_dir().glob("*.yaml")))

    run(check)


def test_a_prediction_is_committed_and_graded() -> None:
    async def check(app, pilot):
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LabScreen)
        fields = screen.fields()
        assert [f.pred.answer for f in fields] == ["summary.invocations", "inputs.e1.final"]
        # Keyboard only: Tab into the first answer, type, Enter moves to the choice, arrows move, Space chooses.
        await pilot.press("tab", "2", "enter")
        assert fields[1].query_one("RadioSet").has_focus_within
        await pilot.press("down", "space")  # the second option: failed
        await pilot.pause()
        assert fields[1].text() == "failed"
        await pilot.press("enter")  # Enter moves on (to Commit) without choosing anything
        await pilot.pause()
        assert app.focused.id == "commit" and fields[1].text() == "failed" and not screen.committed
        await pilot.press("enter")
        await pilot.pause()
        assert screen.committed
        assert [v.right for v in screen.verdicts] == [False, False]  # 3 runs; dead-lettered
        assert screen.verdicts[0].actual == "3"
        assert screen.query_one(Explanation).verdicts is screen.verdicts
        assert app.screen.query_one("TabbedContent").active == "watch"
        # The first divergence: the third run, which the learner did not expect, on the timeline.
        entries = screen.loaded.outcome.trace["timeline"]
        assert entries[screen.first_divergence]["kind"] == "invoke_start"
        assert entries[screen.first_divergence]["n"] == 3

    run(check, lab_file=SCEN / "async.yaml")


def test_playback_steps_forward_and_back() -> None:
    now = [0.0]

    async def check(app, pilot):
        await settle(app, pilot)
        await reveal(app, pilot)
        watch = app.screen.query_one(WatchView)
        assert watch.has_focus and watch.model.pos == 0
        await pilot.press("right", "right", "right")
        assert watch.model.pos == 3
        log_before = watch.query_one("EventLog").pos
        await pilot.press("left")
        assert watch.model.pos == 2 and watch.query_one("EventLog").pos == log_before - 1
        await pilot.press("end")
        assert watch.model.pos == len(watch.model)
        await pilot.press("home")
        assert watch.model.pos == 0
        # Play on the fake clock: one simulated second of real time per tick.
        await pilot.press("space")
        assert watch.playing
        for _ in range(10):  # 10 s late in total, but each tick is capped: bursts collapse, nothing queues
            now[0] += 1.0
            watch._tick()
        await pilot.pause()
        assert 0 < watch.model.pos < len(watch.model)
        await pilot.press("space")
        assert not watch.playing
        speed = watch.player.speed
        await pilot.press("right_square_bracket")
        assert watch.player.speed == speed * 2

    run(check, lab_file=SCEN / "kinesis.yaml", clock=lambda: now[0])


def test_a_whatif_changes_the_outcome() -> None:
    async def check(app, pilot):
        await settle(app, pilot)
        screen = app.screen
        await reveal(app, pilot, "4")
        panel = screen.query_one(WhatIfPanel)
        assert panel.selected.name == "BisectBatchOnFunctionError"
        assert panel.chosen_value(panel.selected) is True
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "WhatIfPredict"  # a second prediction first
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        title, outcome, model = screen.variant
        assert title == "BisectBatchOnFunctionError = true"
        assert outcome.trace["summary"]["invocations"] != screen.loaded.outcome.trace["summary"]["invocations"]
        await pilot.press("w")
        await pilot.pause()
        watch = screen.query_one(WatchView)
        assert watch.model is model and "what-if" in watch.label
        await pilot.press("o")
        assert watch.model is screen.loaded.model

    run(check, lab_file=paths.labs_dir() / "18.12-kinesis-poison-no-bisect.yaml")


def test_a_refused_configuration_is_a_lab_outcome() -> None:
    async def check(app, pilot):
        await settle(app, pilot)
        screen = app.screen
        assert screen.loaded.model is None and screen.query_one("#refused").display
        screen.fields()[0].set_text("yes")
        await pilot.pause()
        assert screen.commit()
        assert screen.verdicts[0].right is True
        assert app.screen.query_one("TabbedContent").active == "explain"

    run(check, lab_file=paths.labs_dir() / "18.10-s3-permission-refused.yaml")


def test_a_broken_file_is_reported_in_the_app() -> None:
    async def check(app, pilot):
        await settle(app, pilot)
        # The error is shown and the app is back on the map, still running.
        assert type(app.screen).__name__ == "HomeScreen"
        shown = [n.message for n in app._notifications]
        assert any("BisectBatchOnFunctionError" in m and "invalid-sqs-bisect.yaml:" in m for m in shown), shown

    run(check, lab_file=Path(__file__).parent / "cases" / "invalid-sqs-bisect.yaml")


def test_wide_terminal_puts_the_log_beside_the_lanes() -> None:
    async def check(app, pilot):
        await settle(app, pilot)
        await reveal(app, pilot)
        await pilot.pause()
        watch = app.screen.query_one(WatchView)
        assert watch.has_class("-wide")
        log, stage = watch.query_one("EventLog"), watch.query_one("#stage")
        assert log.region.x > stage.region.x and log.region.y == stage.region.y

    run(check, lab_file=SCEN / "sqs.yaml", size=(200, 50))


def test_many_records_aggregate_into_counts() -> None:
    async def check(app, pilot):
        await settle(app, pilot)
        await reveal(app, pilot)
        watch = app.screen.query_one(WatchView)
        watch.seek(len(watch.model) // 2)
        await pilot.pause()
        lanes = str(watch.query_one("Lanes").render())
        functions = str(watch.query_one("Instances").render())
        assert "✓" in lanes and any(ch.isdigit() for ch in lanes) and "m1✓" not in lanes
        assert "environments" in functions

    run(check, lab_file=SCEN / "many-sqs.yaml")
