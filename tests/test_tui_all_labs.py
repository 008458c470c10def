"""Every lab in content/labs, as a learner uses it: it opens, takes a prediction, plays, explains and re-runs a
what-if, without an exception (Pilot, 80x24).

The labs are opened one after another in one app per worker, as a learner opens them from the map: starting an app
for every lab cost about a quarter of the sweep's CPU (0.16 s of 0.6 s per lab to start the app and its map), which
is what test_tui_app covers. The app's event loop lives in a module fixture; between two tests it is paused, and each
test first closes every screen back to the map, so a lab that failed leaves nothing open for the next one."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Iterator

import pytest

from study import lab as lm
from study import paths
from study.lab import whatif
from study.tui.app import StudyApp, make_app
from study.tui.screens.lab import LabScreen
from study.tui.widgets.watch_view import WatchView
from study.tui.widgets.whatif_panel import WhatIfPanel

LABS = sorted(paths.labs_dir().glob("*.yaml"))


class SharedApp:
    """One StudyApp under Pilot, on an event loop of its own that each test drives with `run`."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.context = contextvars.copy_context()
        self.app: StudyApp = make_app(clock=lambda: 0.0)
        self.app.animation_level = "none"
        # The map's catalogue is not what this sweep tests (test_tui_app does): a ready callback stops the app
        # reading every lab and question file behind it.
        self.app.ready_callback = lambda: None
        self._context = self.app.run_test(size=(80, 24))
        self.pilot = self.run(self._context.__aenter__())

    def run(self, coroutine):
        """Run COROUTINE to its end on the app's loop, in one context shared by every call: Pilot's entry sets the
        app's context variables (the active app), and each later call must see them."""
        asyncio.set_event_loop(self.loop)
        try:
            task = self.loop.create_task(coroutine, context=self.context)
            return self.loop.run_until_complete(asyncio.wait_for(task, timeout=300))
        finally:
            asyncio.set_event_loop(None)

    def close(self) -> None:
        try:
            self.run(self._context.__aexit__(None, None, None))
        finally:
            self.loop.close()


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedApp]:
    app = SharedApp()
    yield app
    app.close()


def test_there_are_labs() -> None:
    assert LABS, "content/labs has no lab files"


@pytest.mark.slow
@pytest.mark.parametrize("path", LABS, ids=[p.name for p in LABS])
def test_lab_predict_watch_explain_whatif(path, shared, monkeypatch) -> None:
    # A few labs' first what-if retries forever (MaximumRetryAttempts -1), which a learner may let run to the
    # app's cap of 1,000,000 invocations (minutes on a stream). This sweep checks the screens, so it caps the runs
    # at 2,000 (the app's cap before the million-run what-if; a capped run reaches the same screens at 2,000 runs as
    # at 20,000, in a tenth of the time); test_lab_model checks the cap itself, test_playback_aggregate an endless
    # run kept bounded, and test_tui_whatif_progress and test_tui_ramp_playback the big runs in the app.
    monkeypatch.setattr(whatif, "WHATIF_MAX_INVOCATIONS", 2_000)
    app, pilot = shared.app, shared.pilot

    async def run() -> None:
        app.go_home()
        await pilot.pause()
        assert len(app.screen_stack) == 1, app.screen_stack
        app.open_lab(str(path))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LabScreen)
        assert screen.path == path or str(screen.path) == str(path), (screen.path, path)
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

    shared.run(run())
