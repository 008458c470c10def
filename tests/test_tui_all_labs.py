"""Every lab in content/labs, as a learner uses it: it opens, takes a prediction, plays, explains and re-runs a
what-if, without an exception (Pilot, 80x24).

The labs are opened one after another in one app per worker, as a learner opens them from the map: starting an app
for every lab cost about a quarter of the sweep's CPU (0.16 s of 0.6 s per lab to start the app and its map), which
is what test_tui_app covers. The app's event loop lives in a module fixture; between two tests it is paused, and each
test first closes every screen back to the map, so a lab that failed leaves nothing open for the next one."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Iterator

import pytest
from textual import events
from textual.widgets import TabbedContent

from study import lab as lm
from study import paths
from study.lab import whatif
from study.tui.app import StudyApp, make_app
from study.tui.screens.lab import LabScreen
from study.tui.widgets.watch_view import WatchView
from study.tui.widgets.whatif_panel import WhatIfPanel

LABS = sorted(paths.labs_dir().glob("*.yaml"))


async def until(pilot, condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Wait until CONDITION holds, and still holds once the app and the screen's widgets have handled every message
    queued so far. Waiting for a named state instead of for the process to look idle (Pilot's pause) costs no
    idle slices, and cannot stop early on a busy machine where a starved process looks idle. The screen is then
    drawn, as Pilot's pause draws it, so a widget that cannot render fails here."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if condition():
            await pilot._wait_for_screen()
            if condition():
                break
        assert loop.time() < deadline, f"timed out waiting: {what}"
        await asyncio.sleep(0.002)
    pilot.app.screen._on_timer_update()


async def key(pilot, name: str, condition: Callable[[], bool], what: str) -> None:
    """Press one key as the terminal driver sends it (as Pilot's press does), then wait until CONDITION holds."""
    event = events.Key(name, name if len(name) == 1 else None)
    event.set_sender(pilot.app)
    pilot.app._driver.send_message(event)
    await until(pilot, condition, what)


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
        await until(pilot, lambda: len(app.screen_stack) == 1, "back at the map")
        app.open_lab(str(path))
        await until(pilot, lambda: isinstance(app.screen, LabScreen) and app.screen.path == path, "the lab opens")
        screen = app.screen
        await app.workers.wait_for_complete()
        await until(pilot, lambda: screen.loaded is not None, f"{path.name} loads")
        fields = screen.fields()
        assert fields, "a lab must ask at least one prediction"
        # Predict: answer the first question with what really happens, leave the rest blank.
        first = fields[0]
        actual = lm.actual_for(first.pred, screen.loaded.outcome)
        answer = lm.show(actual) if first.pred.kind != "bool" else ("yes" if actual else "no")
        first.set_text(answer)
        await until(pilot, lambda: first.text() == answer, "the answer is in its box")
        assert screen.commit(force=True)
        assert screen.verdicts[0].right is True, (first.pred.question, screen.verdicts[0])
        tabs = screen.query_one("#lab-tabs", TabbedContent)
        # Watch: the trace plays to its end and steps back.
        watch = screen.query_one(WatchView)
        if screen.loaded.model is not None:
            await key(pilot, "2", lambda: tabs.active == "watch" and app.focused is watch, "2 opens Watch")
            await key(pilot, "end", lambda: watch.model.pos == len(watch.model), "end plays to the end")
            await key(pilot, "left", lambda: watch.model.pos == max(0, len(watch.model) - 1), "left steps back")
        # Explain renders.
        explain = screen.query_one("#explain-scroll")
        await key(pilot, "3", lambda: tabs.active == "explain" and app.focused is explain, "3 opens Explain")
        # What-if: change the first offered setting and run again.
        panel = screen.query_one(WhatIfPanel)
        settings = screen.query_one("#whatif-settings")
        await key(pilot, "4", lambda: tabs.active == "whatif" and app.focused is settings, "4 opens What-if")
        assert panel.settings
        # The what-if's own prediction first.
        await key(pilot, "enter", lambda: type(app.screen).__name__ == "WhatIfPredict", "enter asks a prediction")
        await key(pilot, "ctrl+s", lambda: app.screen is screen, "ctrl+s runs the what-if")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: screen.variant is not None, "the what-if's run is shown")

    shared.run(run())
