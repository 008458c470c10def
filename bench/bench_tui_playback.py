"""Frame time while playing a 10,000-invocation trace and a 1,000,000-message run (aggregated: counts per time
slice, study.playback.aggregate), at 80x24 and 200x50, against a one-invocation trace drawn the same way in the
same run; the target is a p95 under 33 ms (30 fps) at 200x50.

A frame = one playback tick (the player applies what is due) + the Watch widgets updated + the screen painted
(Textual's own update step, called directly so no timer or sleep is involved; it uses Textual internals,
`Screen._dirty_widgets` and `Screen._on_timer_update`, pinned with Textual). Headless. The lab's run (the
emulator, and for the big run the aggregation as it goes) happens in the lab's worker, off the UI thread: its
time is printed apart as "build".
Usage: python3 bench/bench_tui_playback.py [FRAMES] [MESSAGES]   (MESSAGES: the big run, 1,000,000 by default)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from study.playback import SPEEDS
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


def huge(messages: int) -> dict:
    """The issue's workload: a backlog at t = 0, BatchSize 10, each run 0.1 s, exam profile (5 pollers, +60 a
    minute)."""
    return {
        "title": f"{messages:,} messages, batches of ten",
        "section": "18.13.2",
        "function": {"behavior": {"duration": 0.1}},
        "trigger": {"type": "sqs", "BatchSize": 10},
        "inputs": [{"at": 0, "count": messages, "prefix": "m"}],
    }


async def measure(path: Path, size: tuple[int, int], frames: int, speed_steps: tuple[int, ...]) -> list[dict]:
    """Open the lab (timed: the build), then play `frames` frames at each speed (steps above x1)."""
    app = make_app(lab_file=str(path), clock=lambda: 0.0)
    app.animation_level = "none"
    out = []
    async with app.run_test(size=size) as pilot:
        t0 = time.perf_counter()
        await pilot.pause()
        await app.workers.wait_for_complete()
        build_s = time.perf_counter() - t0
        await pilot.pause()
        # Watch opens after a commit; the commit (all blank) is kept out of the progress store.
        app.screen.commit(force=True, then="watch", store=False)
        await pilot.pause()
        screen = app.screen
        watch = screen.query_one(WatchView)
        model, player = watch.model, watch.player
        # The widgets a frame redraws; they are marked dirty on the screen directly, as Textual's Update messages
        # would on the next idle, so the paint below really renders all of them every frame.
        drawn = [w for w in watch.query("*") if not w.children]
        for steps in speed_steps:
            model.seek(0)
            player.sync()
            player.speed_index = SPEEDS.index(1) + steps
            times, cpu, moved = [], [], []
            dt = 1 / FPS
            for _ in range(frames):
                if player.at_end:
                    model.seek(0)
                    player.sync()
                t0, c0 = time.perf_counter(), time.process_time()
                before = model.pos
                player.advance(dt)
                watch._redraw()
                screen._dirty_widgets.update(drawn)
                screen._on_timer_update()  # Textual's paint step: layout if needed, render dirty widgets, write
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                moved.append(model.pos - before)
            # Stepping back one position from the end: restore a checkpoint and replay (a slice: a lookup).
            model.seek(len(model))
            t0 = time.perf_counter()
            for _ in range(50):
                model.seek(model.pos - 1)
            back_ms = (time.perf_counter() - t0) * 1000 / 50
            out.append({"positions": len(model), "invocations": model.trace["summary"]["invocations"],
                        "aggregated": model.aggregated, "build": build_s, "speed": SPEEDS[player.speed_index],
                        "median": statistics.median(times), "p95": sorted(times)[int(len(times) * 0.95) - 1],
                        "max": max(times), "cpu_median": statistics.median(cpu),
                        "cpu_p95": sorted(cpu)[int(len(cpu) * 0.95) - 1], "per_frame": statistics.mean(moved), "back": back_ms})
    return out


def main() -> None:
    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    messages = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    target = 1000 / FPS
    with tempfile.TemporaryDirectory() as tmp:
        big, small, biggest = Path(tmp) / "big.yaml", Path(tmp) / "small.yaml", Path(tmp) / "huge.yaml"
        big.write_text(yaml.safe_dump(BIG), encoding="utf-8")
        small.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
        biggest.write_text(yaml.safe_dump(huge(messages)), encoding="utf-8")
        t0 = time.perf_counter()
        from study.playback import PlaybackModel
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
        del trace
        print(f"frame = tick + widgets + paint; {frames} frames each; target p95 < {target:.1f} ms (30 fps)")
        print("median and p95 are wall-clock; cpu p50/p95 count this process's CPU only (the same on a busy machine)")
        print(f"{'size':>8} {'run':>16} {'build s':>8} {'positions':>10} {'speed':>7} {'moved/frame':>12} "
              f"{'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'cpu p50':>8} {'cpu p95':>8} {'step back ms':>13}")
        top = len(SPEEDS) - 1 - SPEEDS.index(1)
        rows = []
        for size in ((80, 24), (200, 50)):
            runs = [("1 invocation", small, (0,)), ("10,000 inv.", big, (0, top))]
            if size == (200, 50):
                runs.append((f"{messages:,} msg", biggest, (0, top)))
            for label, path, speeds in runs:
                for r in asyncio.run(measure(path, size, frames, speeds)):
                    rows.append((size, label, r))
                    print(f"{size[0]:>4}x{size[1]:<3} {label:>16} {r['build']:>8.1f} {r['positions']:>10,} "
                          f"{'x' + format(r['speed'], 'g'):>7} {r['per_frame']:>12.1f} {r['median']:>10.2f} "
                          f"{r['p95']:>8.2f} {r['max']:>8.2f} {r['cpu_median']:>8.2f} {r['cpu_p95']:>8.2f} "
                          f"{r['back']:>13.3f}")
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process (the {messages:,}-message build is its largest part): {peak:,.0f} MB")
        base = next(r for size, label, r in rows if size == (200, 50) and label == "1 invocation")
        print(f"\nat 200x50, against the one-invocation baseline (p50 {base['median']:.2f} ms, p95 {base['p95']:.2f} ms, "
              f"CPU p95 {base['cpu_p95']:.2f} ms) "
              f"and the {target:.1f} ms target:")
        for size, label, r in rows:
            if size == (200, 50) and r is not base:
                verdict = "meets" if r["p95"] < target else "MISSES"
                cpu_verdict = "meets" if r["cpu_p95"] < target else "MISSES"
                print(f"  {label:>16} x{r['speed']:<5g} p50 {r['median']:6.2f} ms ({r['median'] / base['median']:.1f}x)"
                      f"  p95 {r['p95']:6.2f} ms ({r['p95'] / base['p95']:.1f}x)  {verdict} the target;"
                      f"  CPU p95 {r['cpu_p95']:6.2f} ms ({r['cpu_p95'] / base['cpu_p95']:.1f}x) {cpu_verdict} it"
                      + (f"  (aggregated; built in {r['build']:.1f} s)" if r["aggregated"] else ""))


if __name__ == "__main__":
    main()
