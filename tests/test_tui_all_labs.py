"""Every lab in content/labs, as a learner uses it: it opens, takes a prediction, plays, explains and re-runs a
what-if, without an exception (Pilot, 80x24)."""

from __future__ import annotations

import asyncio

import pytest

from study import lab as lm
from study import paths
from study.lab import whatif
from study.tui.app import make_app
from study.tui.screens.lab import LabScreen
from study.tui.widgets.watch_view import WatchView
from study.tui.widgets.whatif_panel import WhatIfPanel

LABS = sorted(paths.labs_dir().glob("*.yaml"))


async def open_lab(pilot, app) -> LabScreen:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, LabScreen)
    return screen


def test_there_are_labs() -> None:
    assert LABS, "content/labs has no lab files"


@pytest.mark.slow
@pytest.mark.parametrize("path", LABS, ids=[p.name for p in LABS])
def test_lab_predict_watch_explain_whatif(path, monkeypatch) -> None:
    # A few labs' first what-if retries forever (MaximumRetryAttempts -1), which a learner may let run to the
    # app's cap of 1,000,000 invocations (minutes on a stream). This sweep checks the screens, so it caps the runs
    # at 20,000; test_lab_model checks the cap itself and test_playback_aggregate an endless run kept bounded.
    monkeypatch.setattr(whatif, "WHATIF_MAX_INVOCATIONS", 20_000)

    async def run() -> None:
        app = make_app(lab_file=str(path), clock=lambda: 0.0)
        app.animation_level = "none"
        # The map under the lab is not what this sweep tests (test_tui_app does): a ready callback stops the app
        # reading every lab and question file behind it on each of the sweep's starts (about 12% of its CPU).
        app.ready_callback = lambda: None
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_lab(pilot, app)
            assert screen.loaded is not None, f"{path.name} did not load"
            fields = screen.fields()
            assert fields, "a lab must ask at least one prediction"
            # Predict: answer the first question with what really happens, leave the rest blank.
            first = fields[0]
            actual = lm.actual_for(first.pred, screen.loaded.outcome)
            first.set_text(lm.show(actual) if first.pred.kind != "bool" else ("yes" if actual else "no"))
            await pilot.pause()
            assert screen.commit(force=True)
            assert screen.verdicts[0].right is True, (first.pred.question, screen.verdicts[0])
            # Watch: the trace plays to its end and steps back.
            watch = screen.query_one(WatchView)
            if screen.loaded.model is not None:
                await pilot.press("2", "end")
                assert watch.model.pos == len(watch.model)
                await pilot.press("left")
                assert watch.model.pos == max(0, len(watch.model) - 1)
            # Explain renders.
            await pilot.press("3")
            # What-if: change the first offered setting and run again.
            await pilot.press("4")
            panel = screen.query_one(WhatIfPanel)
            assert panel.settings
            await pilot.press("enter")
            await pilot.pause()
            assert type(app.screen).__name__ == "WhatIfPredict"  # the what-if's own prediction first
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert screen.variant is not None
            await pilot.pause()

    asyncio.run(run())
