"""Frame time while playing a 10,000-invocation trace, at 80x24 and 200x50, against a one-invocation trace
drawn the same way in the same run.

A frame = one playback tick (the player applies what is due) + the Watch widgets updated + the screen painted
(Textual's own update step, called directly so no timer or sleep is involved; it uses Textual internals,
`Screen._dirty_widgets` and `Screen._on_timer_update`, pinned with Textual). Headless.
Usage: python3 bench/bench_tui_playback.py [FRAMES]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from study.tui.app import make_app
from study.tui.widgets.watch_view import FPS, WatchView

BIG = {
    "title": "10,000 messages, one per invocation",
    "section": "18.13",
    "function": {"behavior": {"duration": 2, "fail_records": {"m7": 2, "m70": 1, "m700": 5}}},
    "trigger": {"type": "sqs", "BatchSize": 1,
                "Queue": {"VisibilityTimeout": 30,
                          "RedrivePolicy": {"maxReceiveCount": 3, "deadLetterTargetArn": "sqs:dlq"}}},
    "inputs": [{"at": 0, "count": 10000, "prefix": "m"}],
}
SMALL = {
    "title": "one synchronous call",
    "function": {"behavior": {"duration": 1}},
    "trigger": {"type": "sync"},
    "inputs": [{"at": 0, "id": "c1", "payload": {}}],
}


async def measure(path: Path, size: tuple[int, int], frames: int, speed_steps: int) -> dict:
    app = make_app(lab_file=str(path), clock=lambda: 0.0)
    app.animation_level = "none"
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        # Watch opens after a commit; the commit (all blank) is kept out of the progress store.
        app.screen.commit(force=True, then="watch", store=False)
        await pilot.pause()
        screen = app.screen
        watch = screen.query_one(WatchView)
        model, player = watch.model, watch.player
        for _ in range(speed_steps):
            player.faster()
        # The widgets a frame redraws; they are marked dirty on the screen directly, as Textual's Update messages
        # would on the next idle, so the paint below really renders all of them every frame.
        drawn = [w for w in watch.query("*") if not w.children]
        times, steps = [], []
        dt = 1 / FPS
        for _ in range(frames):
            if player.at_end:
                model.seek(0)
                player.sync()
            t0 = time.perf_counter()
            before = model.pos
            player.advance(dt)
            watch._redraw()
            screen._dirty_widgets.update(drawn)
            screen._on_timer_update()  # Textual's paint step: layout if needed, render dirty widgets, write
            times.append((time.perf_counter() - t0) * 1000)
            steps.append(model.pos - before)
        # Stepping back one entry from the end: restore a checkpoint and replay.
        model.seek(len(model))
        t0 = time.perf_counter()
        for _ in range(50):
            model.seek(model.pos - 1)
        back_ms = (time.perf_counter() - t0) * 1000 / 50
        return {"entries": len(model), "invocations": model.trace["summary"]["invocations"],
                "median": statistics.median(times), "p95": sorted(times)[int(len(times) * 0.95) - 1],
                "max": max(times), "per_frame": statistics.mean(steps), "back": back_ms,
                "lanes": len(model.lanes)}


def main() -> None:
    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "big.yaml", Path(tmp) / "small.yaml"
        big.write_text(yaml.safe_dump(BIG), encoding="utf-8")
        small.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
        t0 = time.perf_counter()
        from study.playback import SPEEDS, PlaybackModel
        from study.sim.run import simulate
        from study.sim.scenario.load import load_scenario

        trace = simulate(load_scenario(big))
        sim_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        PlaybackModel(trace)
        model_s = time.perf_counter() - t0
        print(f"10,000-message trace: {trace['summary']['invocations']:,} invocations, {len(trace['timeline']):,} "
              f"timeline entries; emulator {sim_s:.2f} s, playback model (with checkpoints) {model_s:.2f} s "
              "(both in the lab's worker, off the UI thread)")
        print(f"frame = tick + widgets + paint; {frames} frames each; budget at {FPS} fps = {1000 / FPS:.1f} ms")
        print(f"{'size':>8} {'trace':>14} {'speed':>7} {'entries/frame':>14} {'median ms':>10} {'p95 ms':>8} "
              f"{'max ms':>8} {'step back ms':>13}")
        top = len(SPEEDS) - 1 - SPEEDS.index(1)
        for size in ((80, 24), (200, 50)):
            for label, path, steps in (("1 invocation", small, 0), ("10,000 inv.", big, 0), ("10,000 inv.", big, top)):
                r = asyncio.run(measure(path, size, frames, steps))
                print(f"{size[0]:>4}x{size[1]:<3} {label:>14} {'x' + format(SPEEDS[SPEEDS.index(1) + steps], 'g'):>7} "
                      f"{r['per_frame']:>14.1f} {r['median']:>10.2f} {r['p95']:>8.2f} {r['max']:>8.2f} "
                      f"{r['back']:>13.3f}")


if __name__ == "__main__":
    main()
