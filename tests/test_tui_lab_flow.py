"""The lab loop as a learner drives it at 80x24: the predict form keeps what was (and was not) answered,
Watch/Explain/What-if stay locked until a commit or a confirmed reveal, a what-if asks for its own prediction,
help opens everywhere, and attempts are remembered across restarts. Progress goes to a tmp STUDY_HOME."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from clock import Clock
from test_tui_app import run as run_app
from test_tui_app import settle

from study import paths
from study.tui.screens.lab import LOCKED, LabScreen
from study.tui.widgets.prediction_field import Choice
from study.tui.widgets.whatif_panel import WhatIfPanel

LABS = paths.labs_dir()


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDY_HOME", str(tmp_path / "home"))


def run(coro_fn, lab_file=None, size=(80, 24)):
    """The shared Pilot runner, with the lab already loaded."""
    async def loaded(app, pilot):
        await settle(app, pilot)
        await coro_fn(app, pilot)

    run_app(loaded, lab_file, size)


def test_the_form_keeps_blanks_blank_and_commits_with_one_key() -> None:
    # 18.13-sqs-redrive: a list, a number, a choice of three ARNs, a number.
    async def check(app, pilot):
        screen = app.screen
        fields = screen.fields()
        kinds = [f.pred.kind for f in fields]
        assert kinds == ["list", "number", "choice", "number"]
        await pilot.press("tab")  # into question 1
        assert fields[0].control.has_focus
        await pilot.press("enter", "enter")  # past 1 and 2, both left blank
        assert fields[2].control.has_focus_within
        await pilot.press("enter")  # Enter on an unanswered choice moves on and does not pick option A
        assert fields[2].text() == "" and fields[3].control.has_focus
        await pilot.press("shift+tab")
        assert fields[2].control.has_focus_within
        await pilot.press("down", "space")  # Space chooses the highlighted (second) option, focus stays
        assert fields[2].text() == fields[2].choices[1] and fields[2].control.has_focus_within
        buttons = list(fields[2].query(Choice))
        assert [str(b.BUTTON_INNER) for b in buttons] == ["○", "●", "○"]  # a glyph, not colour alone
        await pilot.press("tab")  # Tab after Space goes to the next question, not past Commit
        assert fields[3].control.has_focus
        await pilot.press("4")
        # Every option is fully on screen at 80 columns: they stack, one per line.
        for b in buttons:
            assert b.region.right <= 80 and b.region.width >= len(b.label.plain)
        await pilot.press("ctrl+s")  # commit from inside an answer box
        await pilot.pause()
        assert screen.committed and not screen.revealed
        assert screen.predicted[0] is None and screen.predicted[1] is None  # blanks stayed blank
        assert screen.predicted[2] == fields[2].choices[1] and screen.predicted[3] == 4
        assert [v.right for v in screen.verdicts][:2] == [None, None]

    run(check, LABS / "18.13-sqs-redrive.yaml")


def test_outcome_tabs_are_locked_until_commit_or_a_confirmed_reveal() -> None:
    async def check(app, pilot):
        screen = app.screen
        tabs = screen.query_one("TabbedContent")
        for tab in ("2", "3", "4"):
            await pilot.press(tab)
            await pilot.pause()
            assert type(app.screen).__name__ == "ConfirmReveal"
            await pilot.press("n")  # keep predicting
            await pilot.pause()
            assert app.screen is screen and tabs.active == "predict" and not screen.committed
        assert all(tabs.get_tab(t).disabled for t in LOCKED)
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert screen.committed and screen.revealed and tabs.active == "whatif"
        assert not any(tabs.get_tab(t).disabled for t in LOCKED)
        # Frozen: the answers cannot change once the outcome is seen.
        assert all(f.control.disabled for f in screen.fields())
        assert "Revealed without predicting" in str(screen.query_one("#predict-status").render())

    run(check, LABS / "18.06-async-retry-schedule.yaml")


def test_a_whatif_asks_for_a_prediction_and_grades_it() -> None:
    async def check(app, pilot):
        screen = app.screen
        await pilot.press("ctrl+s")  # commit with every answer blank
        await pilot.pause()
        assert screen.committed
        await pilot.press("4")
        await pilot.pause()
        panel = screen.query_one(WhatIfPanel)
        assert panel.selected.name == "BisectBatchOnFunctionError"
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert type(dialog).__name__ == "WhatIfPredict"
        dialog.set_focus(None)  # in an answer box ? types a "?"; elsewhere it opens the help
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is dialog
        fields = dialog.fields()
        # Predict the what-if's run count: answer with a wrong number, the rest blank.
        first = fields[0]
        assert first.pred.answer == "summary.invocations"
        first.set_text("1")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert screen.variant is not None and screen.variant[0] == "BisectBatchOnFunctionError = true"
        actual = screen.variant[1].trace["summary"]["invocations"]
        assert actual != 1 and screen.whatif_verdicts[0] is False and screen.whatif_verdicts[1:] == [None] * (
            len(fields) - 1)
        import io

        from rich.console import Console

        console = Console(width=120, record=True, file=io.StringIO())
        console.print(panel.query_one("#whatif-table").render()._renderable)
        table = console.export_text()
        assert "you predicted" in table and "✗ 1" in table
        assert "0/1 right" in str(panel.query_one("#whatif-status").render())
        attempts = app.store.lab_attempts("18.12-kinesis-poison-no-bisect")
        assert attempts[-1]["whatifs"][0]["setting"] == "BisectBatchOnFunctionError = true"
        assert attempts[-1]["whatifs"][0]["right"] == 0 and attempts[-1]["whatifs"][0]["answered"] == 1

    run(check, LABS / "18.12-kinesis-poison-no-bisect.yaml")


def test_esc_in_the_whatif_box_leaves_the_box_not_the_lab() -> None:
    async def check(app, pilot):
        screen = app.screen
        await pilot.press("ctrl+s")
        await pilot.press("4")
        await pilot.pause()
        box = screen.query_one("#whatif-input")
        box.focus()
        await pilot.pause()
        await pilot.press("x", "escape")
        await pilot.pause()
        assert app.screen is screen and not box.has_focus and box.value == "x"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen  # the second Esc leaves the lab

    run(check, LABS / "18.13-sqs-visibility-timeout.yaml")


def test_help_opens_on_every_screen_tab_and_dialog() -> None:
    async def open_help(app, pilot, where: str) -> None:
        before = app.screen
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.is_running, where
        assert type(app.screen).__name__ in ("HelpScreen", "DemoHelpScreen"), where
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is before, where

    async def check(app, pilot):
        # The exam page draws its pool for a seed taken from the store's clock: at the epoch that is seed 0,
        # which the practice screen opened before it has just generated (not a bank for today's timestamp).
        app.store.now = Clock(datetime(1970, 1, 1, tzinfo=UTC))
        await open_help(app, pilot, "map")
        for key, name in (("enter", "LearnScreen"), ("l", "LabsScreen"), ("q", "QuestionsScreen"),
                          ("s", "StatsScreen"), ("p", "PracticeScreen"), ("e", "ExamScreen")):
            await pilot.press(key)
            await settle(app, pilot)
            assert type(app.screen).__name__ == name
            app.screen.set_focus(None)  # a focused answer box would take the ? as text
            await open_help(app, pilot, name)
            app.go_home()
            await pilot.pause()
        app.open_lab(LABS / "18.06-async-retry-schedule.yaml")
        await settle(app, pilot)
        lab = app.screen
        assert isinstance(lab, LabScreen)
        lab.set_focus(None)
        await open_help(app, pilot, "lab predict")
        await pilot.press("2")
        await pilot.pause()
        await open_help(app, pilot, "reveal dialog")
        await pilot.press("y")
        await pilot.pause()
        for tab in ("watch", "explain", "whatif"):
            lab.action_tab(tab)
            await pilot.pause()
            lab.set_focus(None)
            await open_help(app, pilot, f"lab {tab}")
        lab.action_tab("watch")
        await pilot.pause()
        await pilot.press("end", "j")  # the run's event and response
        await pilot.pause()
        assert type(app.screen).__name__ == "RunDetail"
        await open_help(app, pilot, "run detail")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is lab
        app.open_demo()
        await settle(app, pilot)
        await open_help(app, pilot, "demo picker")
        await pilot.press("enter")
        await settle(app, pilot)
        await open_help(app, pilot, "demo")

    run(check)


def test_an_attempt_is_stored_and_shown_after_a_restart(tmp_path) -> None:
    name = "18.03-sync-throttle-429"

    async def attempt(app, pilot):
        screen = app.screen
        screen.fields()[0].set_text("429")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.committed and screen.attempt_id is not None
        await pilot.press("escape")  # leaving the lab keeps the attempt

    run(attempt, LABS / f"{name}.yaml")

    async def listed(app, pilot):
        app.open_labs("18.3")
        await settle(app, pilot)
        await pilot.pause()
        result = app.lab_results[name]
        assert result.attempts == 1 and result.last_right == 1 and not result.revealed
        text = "\n".join(str(app.screen.query_one("#labs-list").get_option_at_index(i).prompt)
                         for i in range(app.screen.query_one("#labs-list").option_count))
        assert "✓ 1/3" in text
        assert "1 done" in str(app.screen.query_one("#labs-heading").render())
        # The graded prediction reviewed its rules in the scheduler, as a question does.
        assert any(a.source == "lab" for a in app.store.answers())

    run(listed)


def test_the_timeline_links_each_retry_to_the_run_it_repeats() -> None:
    from study.sim.run import simulate
    from study.sim.scenario.load import load_scenario
    from study.tui.widgets.env_timeline import runs_of

    trace = simulate(load_scenario(LABS / "18.06-async-retry-schedule.yaml"))
    runs = runs_of(trace["timeline"])
    assert [(r.n, r.lane, r.start, r.end, r.status, r.repeats) for r in runs] == [
        (i["n"], i["instance"], i["start"], i["end"], i["status"], None if i["attempt"] == 1 else i["n"] - 1)
        for i in trace["invocations"]]
    # An SQS backlog: many environments, no repeats (nothing fails).
    sqs = simulate(load_scenario(LABS / "18.13-sqs-maximum-concurrency.yaml"))
    runs = runs_of(sqs["timeline"])
    assert len(runs) == len(sqs["invocations"]) and all(r.repeats is None for r in runs)
    assert len({r.lane for r in runs}) == len({i["instance"] for i in sqs["invocations"]})
