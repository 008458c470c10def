"""SVG snapshots of the Watch view, one per trigger type, at 80x24 (Textual is pinned exactly in pyproject.toml).
Regenerate after a deliberate visual change with `pytest tests/test_tui_snapshots.py --snapshot-update`."""

from __future__ import annotations

from pathlib import Path

import pytest

from study.tui.app import make_app
from study.tui.widgets.watch_view import WatchView

SCENARIOS = Path(__file__).parent / "snapshots" / "scenarios"
TRIGGERS = ["async", "sync", "alb", "s3", "sns", "schedule", "eventbridge", "sqs", "fifo", "kinesis", "dynamodb"]


def watch_at(fraction: float):
    async def run_before(pilot) -> None:
        app = pilot.app
        app.animation_level = "none"
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("ctrl+s")  # Watch opens after the (here blank) predictions are committed
        await pilot.pause()
        await pilot.press("2")
        watch = app.screen.query_one(WatchView)
        watch.seek(round(len(watch.model) * fraction))
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_watch_view_snapshot(trigger: str, snap_compare) -> None:
    app = make_app(lab_file=str(SCENARIOS / f"{trigger}.yaml"), clock=lambda: 0.0)
    assert snap_compare(app, terminal_size=(80, 24), run_before=watch_at(0.6))


def test_watch_view_wide_snapshot(snap_compare) -> None:
    """At 200x50 the event log sits beside the lanes."""
    app = make_app(lab_file=str(SCENARIOS / "kinesis.yaml"), clock=lambda: 0.0)
    assert snap_compare(app, terminal_size=(200, 50), run_before=watch_at(0.5))


@pytest.mark.parametrize("scenario", ["async-retry", "sqs-scaling"])
def test_watch_timeline_snapshot(scenario: str, snap_compare) -> None:
    """The run timeline: one lane per environment, runs as bars by outcome, a retry linked to the run it repeats
    (async retries), and many environments summarised (an SQS backlog scaling up)."""
    app = make_app(lab_file=str(SCENARIOS / f"{scenario}.yaml"), clock=lambda: 0.0)
    assert snap_compare(app, terminal_size=(100, 30), run_before=watch_at(0.8))
