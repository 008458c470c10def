"""The 15,000-message scaling-ramp lab (18.13.2) plays in the Watch view from t = 0 to the pollers' cap with the
real playback ticks at top speed (Pilot, 200x50); a run too big to keep plays from its counts
(study.playback.aggregate). How long its ticks, redraws and paints take is measured in bench/bench_tui_ramp.py,
not asserted here: timings belong in benchmarks."""

from __future__ import annotations

import time

from study import paths
from study.playback import SPEEDS, streaming
from study.tui.widgets.env_timeline import EnvTimeline
from study.tui.widgets.event_log import EventLog
from study.tui.widgets.lanes import Lanes
from study.tui.widgets.watch_view import WatchView
from tests.test_tui_app import run, settle

RAMP = paths.labs_dir() / "18.13-sqs-scaling-ramp.yaml"


def test_the_ramp_lab_plays_to_the_cap_without_a_freeze(monkeypatch) -> None:
    ticks = []
    tick = WatchView._tick

    def counted(self, *args, **kwargs):
        ticks.append(1)
        return tick(self, *args, **kwargs)

    monkeypatch.setattr(WatchView, "_tick", counted)
    now = [0.0]

    def clock() -> float:  # each tick is a 30th of a second of playback, however long the machine takes
        now[0] += 1 / 30
        return now[0]

    async def check(app, pilot):
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("ctrl+s")  # commit (every answer blank)
        await settle(app, pilot)
        watch = screen.query_one(WatchView)
        assert watch.model is not None and watch.player is not None
        while watch.player.speed < SPEEDS[-1]:
            watch.action_faster()
        seen = []
        ticks.clear()
        watch.play()
        deadline = time.monotonic() + 240
        while not watch.player.at_end and time.monotonic() < deadline:
            await pilot.pause(0.05)
            view = watch.model.view()
            seen.append((view.t, view.running, view.pollers))
        await settle(app, pilot)
        assert watch.player.at_end, f"stopped at {watch.model.pos} of {len(watch.model)}"
        assert seen[0][0] < 60 and max(r for _, r, _ in seen) == 1000 and max(p for *_, p in seen) == 1000
        assert len(ticks) > 20  # played by the real ticks, not jumped to the end
        # A thousand environments are drawn as a chart of runs at once, not a thousand lanes.
        timeline = screen.query_one(EnvTimeline)
        assert timeline._aggregate() and "running" in str(timeline.render())

    run(check, lab_file=RAMP, size=(200, 50), clock=clock)


def test_an_aggregated_run_plays_in_the_watch_view(monkeypatch) -> None:
    """Any lab's run aggregated (as a run past 20,000 invocations is): the Watch plays it slice by slice to the end,
    draws counts and the chart, logs a sample of the steps, and j opens a sampled run."""
    monkeypatch.setattr(streaming, "FULL_INPUTS", -1)
    now = [0.0]

    def clock() -> float:
        now[0] += 1 / 30
        return now[0]

    async def check(app, pilot):
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        watch = screen.query_one(WatchView)
        model = watch.model
        assert model.aggregated and len(model) > 1
        while watch.player.speed < 64:
            watch.action_faster()
        watch.play()
        deadline = time.monotonic() + 60
        while not watch.player.at_end and time.monotonic() < deadline:
            await pilot.pause(0.05)
        await settle(app, pilot)
        assert watch.player.at_end and model.pos == len(model)
        view = model.view()
        assert view.invocations == screen.loaded.outcome.trace["summary"]["invocations"]
        assert "running" in str(screen.query_one(EnvTimeline).render())
        assert "✓" in str(screen.query_one(Lanes).render())  # a bar of counts: every record succeeded
        log = screen.query_one(EventLog)
        assert log.pos == len(model.entries) > 0
        await pilot.press("j")
        await pilot.pause()
        assert type(app.screen).__name__ == "RunDetail"
        await pilot.press("escape")
        await pilot.press("left")
        assert model.pos == len(model) - 1

    run(check, lab_file=RAMP.with_name("18.13-sqs-scaling.yaml"), size=(120, 40), clock=clock)
