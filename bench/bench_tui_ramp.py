"""The 15,000-message scaling-ramp lab (18.13.2) played in the Watch view at top speed from t = 0 to its end, at
200x50: the CPU each playback tick, Watch redraw and screen paint takes, against a one-invocation lab played the
same way in the same run, and against a freeze threshold of 100 ms (a learner notices a stall past it).

CPU time (time.process_time) rather than wall time, so a busy machine changes the figures less. Headless (Pilot).
Usage: python3 bench/bench_tui_ramp.py
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from pathlib import Path

from textual.screen import Screen

from study import paths
from study.playback import SPEEDS
from study.tui.app import make_app
from study.tui.widgets.watch_view import WatchView

FREEZE_MS = 100
RAMP = paths.labs_dir() / "18.13-sqs-scaling-ramp.yaml"
SMALL = paths.labs_dir() / "18.03-sync-error-no-retry.yaml"


async def play(path: Path) -> dict[str, list[float]]:
    costs: dict[str, list[float]] = {"tick": [], "redraw": [], "paint": []}
    originals = {"tick": (WatchView, "_tick"), "redraw": (WatchView, "_redraw"), "paint": (Screen, "_on_timer_update")}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                costs[name].append((time.process_time() - t0) * 1000)
        return wrapper

    saved = {name: getattr(cls, attr) for name, (cls, attr) in originals.items()}
    for name, (cls, attr) in originals.items():
        setattr(cls, attr, timed(name, saved[name]))
    now = [0.0]

    def clock() -> float:  # a tick is a 30th of a second of playback however long the machine takes
        now[0] += 1 / 30
        return now[0]

    try:
        app = make_app(lab_file=str(path), clock=clock)
        app.animation_level = "none"
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            screen.commit(force=True, then="watch", store=False)
            await pilot.pause()
            watch = screen.query_one(WatchView)
            while watch.player.speed < SPEEDS[-1]:
                watch.action_faster()
            for values in costs.values():
                values.clear()
            watch.play()
            deadline = time.monotonic() + 600
            while not watch.player.at_end and time.monotonic() < deadline:
                await pilot.pause(0.05)
            if not watch.player.at_end:
                raise SystemExit(f"{path.name}: playback did not reach its end in 600 s")
    finally:
        for name, (cls, attr) in originals.items():
            setattr(cls, attr, saved[name])
    return costs


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile (never above the largest value, even for a handful of samples)."""
    ordered = sorted(values) or [0.0]
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def main() -> None:
    small = asyncio.run(play(SMALL))
    ramp = asyncio.run(play(RAMP))
    print(f"Watch playback at 200x50, top speed, CPU ms; freeze threshold {FREEZE_MS} ms")
    print(f"{'':8} {'baseline: ' + SMALL.stem:>44}   {'ramp: ' + RAMP.stem:>44}")
    print(f"{'':8} {'n':>6} {'p50':>8} {'p95':>8} {'max':>8}   {'n':>6} {'p50':>8} {'p95':>8} {'max':>8}  verdict")
    for name in ("tick", "redraw", "paint"):
        a, b = small[name] or [0.0], ramp[name] or [0.0]
        verdict = "no freeze" if max(b) < FREEZE_MS else "FREEZE"
        print(f"{name:8} {len(small[name]):6d} {statistics.median(a):8.2f} {p95(a):8.2f} {max(a):8.2f}   "
              f"{len(ramp[name]):6d} {statistics.median(b):8.2f} {p95(b):8.2f} {max(b):8.2f}  {verdict} "
              f"(p95 {p95(b) / max(p95(a), 0.01):.1f}x the baseline)")


if __name__ == "__main__":
    main()
