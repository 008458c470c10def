"""Stats in the TUI (Pilot, 80x24): mastery, the rule grid, the forecast, exam history and accuracy after some
answers; the desired retention changed with + and - persists; the map's tiles show mastery."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

from rich.console import Console

from study.content import load_rules
from study.learning.exam import ExamSession
from study.learning.store import FILE_NAME, Store
from study.quiz import bank_questions
from study.tui.app import make_app
from study.tui.screens.home import HomeScreen
from study.tui.screens.stats import StatsScreen
from study.tui.widgets.section_map import SectionMap
from study.tui.widgets.stats_forecast import StatsForecast
from study.tui.widgets.stats_grid import StatsGrid
from study.tui.widgets.stats_mastery import StatsMastery

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def text_of(widget) -> str:
    content = widget.content
    if isinstance(content, str):
        return str(widget.render())
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


async def settle(pilot, app) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def test_stats_after_answers_and_an_exam(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path))
    async_rules = [rid for rid, r in load_rules().rules.items() if r["section"].startswith("18.6")][:2]
    assert len(async_rules) == 2

    async def run() -> None:
        app = make_app()
        app.animation_level = "none"
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            store = app.store
            store.now = lambda: T0
            store.record_answer("q.one", [async_rules[0]], True, 20.0)
            store.record_answer("q.two", [async_rules[1]], False, 20.0)
            exam = ExamSession.start(store, bank_questions("18.13"), n=2, minutes=10, seed=3)
            right = [o["text"] for o in exam.items[0].question["options"] if o["correct"]]
            exam.answer(right if exam.items[0].question["kind"] == "multi" else right[0])
            exam.submit()

            await pilot.press("s")
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, StatsScreen)
            data = screen.data
            assert data is not None and data.answers == 4  # two practice answers, two exam items
            # Mastery per section: 18.6 has two rules met, one of them recalled well.
            mastery = screen.query_one(StatsMastery)
            assert mastery.mastery["18.6"].reviewed == 2 and mastery.mastery["18.6"].mastery > 0
            assert mastery.mastery["18.4"].reviewed == 0 and mastery.mastery["18.4"].mastery == 0
            assert "18.6" in str(mastery.render())
            # The grid: one cell per rule, the cursor names a rule.
            await pilot.press("2")
            grid = screen.query_one(StatsGrid)
            assert sum(len(cells) for _s, cells in grid.rows) == len(load_rules().rules)
            assert grid.selected is not None and grid.selected.rule_id in str(grid.render())
            # Reviews due per day: every reviewed rule is due somewhere in the next 30 days.
            await pilot.press("3")
            forecast = screen.query_one(StatsForecast)
            assert len(forecast.days) == 30 and sum(n for _d, n in forecast.days) == len(store.cards())
            # Exam history and accuracy by rule.
            await pilot.press("4")
            exams = screen.query_one("#stats-exams")
            assert exams.option_count == 1 and "#1" in str(exams.get_option_at_index(0).prompt)
            await pilot.press("5")
            accuracy = text_of(screen.query_one("#stats-accuracy"))
            for rule in async_rules:
                assert rule in accuracy
            assert "0/1" in accuracy and "1/1" in accuracy
            # Desired retention: + and - move it by a point and it is saved.
            assert "90%" in text_of(screen.query_one("#stats-retention"))
            await pilot.press("+")
            await settle(pilot, app)
            assert store.desired_retention == 0.91
            await pilot.press("-", "-")
            await settle(pilot, app)
            assert store.desired_retention == 0.89
            assert "89%" in text_of(screen.query_one("#stats-retention"))
            # Back on the map, the tiles show mastery where there is some.
            await pilot.press("escape")
            await settle(pilot, app)
            home = app.screen
            assert isinstance(home, HomeScreen)
            smap = home.query_one(SectionMap)
            assert smap.progress.get("18.6", 0) > 0
            assert "18.4" not in smap.progress

    asyncio.run(run())
    with Store(tmp_path / FILE_NAME) as again:
        assert again.desired_retention == 0.89


def test_retention_stays_within_its_range(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path))

    async def run() -> None:
        app = make_app()
        app.animation_level = "none"
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.store.set_desired_retention(0.98)
            app.open_stats()
            await settle(pilot, app)
            await pilot.press("+", "+", "+")
            await settle(pilot, app)
            assert app.store.desired_retention == 0.99

    asyncio.run(run())
