"""A what-if runs in a worker with a progress bar and can be cancelled (x); the scaling-ramp lab's what-if switches
the profile."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from study import lab as lm
from study import paths
from study.sim.engine import Cancelled
from study.sim.run import simulate
from study.sim.scenario.load import scenario_from_dict
from study.tui.widgets.whatif_panel import WhatIfPanel
from tests.test_tui_app import run, settle

RAMP = paths.labs_dir() / "18.13-sqs-scaling-ramp.yaml"


def test_progress_reports_and_can_cancel_a_run() -> None:
    data = {"title": "backlog", "function": {"behavior": {"duration": 1}},
            "trigger": {"type": "sqs", "BatchSize": 1}, "inputs": [{"at": 0, "count": 20000, "prefix": "m"}]}
    seen = []

    def progress(engine) -> bool:
        seen.append((engine.now, engine.n_started, engine.settled))
        return len(seen) == 3

    with pytest.raises(Cancelled):
        simulate(scenario_from_dict(data), progress)
    assert len(seen) == 3
    assert [s[0] for s in seen] == sorted(s[0] for s in seen) and seen[-1][1] > seen[0][1] > 0
    assert seen[-1][2] > 0


def test_the_ramp_lab_whatif_switches_the_profile() -> None:
    async def check(app, pilot):
        await settle(app, pilot)
        screen = app.screen
        assert screen.loaded.outcome.trace["summary"]["max_concurrency"] == 1000  # exam: +60 a minute to 1,000
        await pilot.press("ctrl+s")  # commit (every answer blank): What-if opens only after the prediction
        await pilot.pause()
        await pilot.press("4")
        panel = screen.query_one(WhatIfPanel)
        assert panel.selected.name == "profile" and panel.chosen_value(panel.selected) == "aws"
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "WhatIfPredict"
        await pilot.press("ctrl+s")  # run it without a second prediction
        await settle(app, pilot)
        title, outcome, _model = screen.variant
        assert title == "profile = aws"
        assert outcome.trace["summary"]["max_concurrency"] == 1250  # aws: +300 a minute to 1,250
        assert not panel.query_one("#whatif-progress").display

    run(check, lab_file=RAMP)


def test_x_cancels_a_running_whatif(monkeypatch) -> None:
    def slow(lab, data, progress=None):
        fake = SimpleNamespace(settled=0, inputs=range(100), n_started=0, now=0)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            fake.settled, fake.n_started, fake.now = fake.settled + 1, fake.n_started + 1, fake.now + 1000
            if progress(fake):
                raise Cancelled
            time.sleep(0.01)
        return lm.Outcome(None, "never cancelled")

    monkeypatch.setattr("study.lab.whatif.run_variant", slow)

    async def check(app, pilot):
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("ctrl+s")  # commit first: What-if opens only after the prediction
        await pilot.pause()
        await pilot.press("4")
        panel = screen.query_one(WhatIfPanel)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "WhatIfPredict"
        await pilot.press("ctrl+s")
        bar = panel.query_one("#whatif-progress")
        for _ in range(200):
            await pilot.pause(0.02)
            if bar.progress > 0:
                break
        assert bar.display and bar.progress > 0 and "x cancels" in str(panel.query_one("#whatif-status").render())
        await pilot.press("x")
        await settle(app, pilot)
        assert screen.variant is None and not bar.display
        assert "cancelled" in str(panel.query_one("#whatif-status").render())

    run(check, lab_file=RAMP)
