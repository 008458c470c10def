"""The emulator at scale: `study sim --summary` and `--json` against a bare SimPy model of the same workload, same run.

Workloads (issue 14):
  sqs      N messages at t = 0, BatchSize 10, each run 0.1 s, exam profile (5 pollers, +60 a minute).
  kinesis  N records at t = 0 on 4 shards (N/4 each), BatchSize 100, each run 0.1 s.
The SimPy models record every message's fate and every invocation (start, end, first message, batch size), which is
what the emulator's summary is computed from. Times are wall-clock medians; peak memory is tracemalloc's peak, taken
in a separate run of each (tracemalloc slows Python down, so its run is not timed).

The emulator's figures include reading the scenario (YAML, then study.sim.scenario, which keeps each count-input as
one compact run and checks its ids by arithmetic: no dict per message); that part is also measured on its own, and so
is the run alone on a scenario already read (its peak counts only what the run allocates). `--summary` of these
workloads runs in bulk (study.sim.lean_bulk: counts of messages, one group per poll round's identical runs).

`--json` of the SQS workload takes the streamed trace's fast path (docs/emulator.md "Lean mode and scale"): the
backlog is ranges of the count input, no object per message (study.sim.bulk_trace); each event is rendered
straight into its JSON text from a template cut from payloads.py's record (study.sim.text_events), with ids from a
prepared SHA-256 copied per id; an arrival event's timeline entries are one templated element; the encoder writes
the engine's entries through formats cached by their keys; each section goes to its temporary file a quarter of a
megabyte at a time and is copied to the output's bytes at the end; the inputs and per-input states are frozen out
of the garbage collector's full collections. The engine still starts and ends every run (environments, logs,
timeline, invocation records), and the bytes are the general path's (tests/test_sim_text_events.py). What remains
is about 14 µs a message of CPU, in thirds: the engine's per-run work (a run is 10 messages), the records' ids,
digests and text, and encoding and writing the 1.2 KB of trace a message has; the SimPy model takes 0.4 µs. The
Kinesis workload's `--json` takes the per-record source with text events only (study.sim.text_events).

Usage: python3 bench/bench_sqs_scale.py [N] [sqs|kinesis|both] [--json] [--repeat R]
  N defaults to 100,000 (the issue's targets are for 1,000,000; the machine is shared, so the load average is printed
  at the start and the end).
  --json also times `study sim --json` written to a temporary file (its size is printed).
At the end: each ratio against its target (--summary time and peak memory against the SimPy model's, --json time
against the SimPy model's, --json peak memory against 1 GiB), met or not.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
from collections import deque
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sim import timed  # noqa: E402  (the project's measuring helper: median time, result, tracemalloc peak)

RUN_S = 0.1
SQS_BATCH, KINESIS_BATCH, SHARDS = 10, 100, 4


def sqs_scenario(n: int) -> dict:
    return {"title": f"{n:,} SQS messages at t = 0", "section": "18.13.2", "profile": "exam",
            "account_concurrency": 100000,
            "function": {"Timeout": 3, "behavior": {"duration": RUN_S}},
            "trigger": {"type": "sqs", "BatchSize": SQS_BATCH, "Queue": {"VisibilityTimeout": 30}},
            "inputs": [{"at": 0, "count": n, "prefix": "m"}]}


def kinesis_scenario(n: int) -> dict:
    per = n // SHARDS
    return {"title": f"{n:,} Kinesis records on {SHARDS} shards", "section": "18.14",
            "function": {"Timeout": 3, "behavior": {"duration": RUN_S}},
            "trigger": {"type": "kinesis", "BatchSize": KINESIS_BATCH, "StartingPosition": "TRIM_HORIZON",
                        "Stream": {"ShardCount": SHARDS}},
            "inputs": [{"at": 0, "count": per, "prefix": f"s{s}r", "shard": s} for s in range(SHARDS)]}


# -- the SimPy models -------------------------------------------------------------------------------------------

def simpy_sqs(n: int) -> int:
    """Pollers take batches of 10 from a FIFO backlog; 5 pollers, 60 more each minute up to 1,000 while it lasts."""
    import simpy

    env = simpy.Environment()
    backlog = deque(range(n))
    final = bytearray(n)  # 0 pending, 1 succeeded
    receives = bytearray(n)
    invocations: list[tuple[float, float, int, int]] = []

    def poller():
        while backlog:
            batch = [backlog.popleft() for _ in range(min(SQS_BATCH, len(backlog)))]
            for m in batch:
                receives[m] += 1
            start = env.now
            yield env.timeout(RUN_S)
            invocations.append((start, env.now, batch[0], len(batch)))
            for m in batch:
                final[m] = 1

    def scaler():
        pollers = 5
        for _ in range(pollers):
            env.process(poller())
        while backlog and pollers < 1000:
            yield env.timeout(60)
            added = min(60, 1000 - pollers)
            pollers += added
            for _ in range(added):
                env.process(poller())

    env.process(scaler())
    env.run()
    assert final.count(1) == n
    return len(invocations)


def simpy_kinesis(n: int) -> int:
    """One batch at a time per shard, in order: each shard's records in batches of 100."""
    import simpy

    env = simpy.Environment()
    per = n // SHARDS
    final = bytearray(per * SHARDS)
    invocations: list[tuple[float, float, int, int]] = []

    def shard(s: int):
        first = s * per
        for lo in range(first, first + per, KINESIS_BATCH):
            hi = min(lo + KINESIS_BATCH, first + per)
            start = env.now
            yield env.timeout(RUN_S)
            invocations.append((start, env.now, lo, hi - lo))
            for r in range(lo, hi):
                final[r] = 1

    for s in range(SHARDS):
        env.process(shard(s))
    env.run()
    assert final.count(1) == per * SHARDS
    return len(invocations)


# -- the emulator, as `study sim` runs it ---------------------------------------------------------------------

def cli_run(path: Path, flag: str, out_path: Path | None = None) -> int:
    """`study sim PATH FLAG` in this process; returns the run count read back from what it printed."""
    from study import cli

    sink = open(out_path, "w", encoding="utf-8") if out_path else io.StringIO()  # noqa: SIM115
    try:
        with contextlib.redirect_stdout(sink):
            rc = cli.main(["sim", str(path), flag])
    finally:
        if out_path:
            sink.close()
    assert rc == 0, rc
    if flag == "--summary":
        import json

        return json.loads(sink.getvalue())["summary"]["invocations"]
    return -1


TARGETS = {"time": 1.0, "memory": 1.0, "json_time": 3.0, "json_mib": 1024.0}  # issue 14, item 3


def load_only(path: Path) -> int:
    """Reading and checking the scenario (study.sim.scenario keeps the count-input as one run, no dict per message)."""
    from study.sim.scenario.load import load_scenario

    return len(load_scenario(path).inputs)


def run_only(path: Path, n: int, repeat: int) -> tuple[float, int, float]:
    """`simulate_summary` alone, on a scenario already read: (median time, runs, peak MiB allocated by the run)."""
    from study.sim.run import simulate_summary
    from study.sim.scenario.load import load_scenario

    scenario = load_scenario(path)
    return timed(lambda _n: simulate_summary(scenario)["summary"]["invocations"], n, repeat)


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "NOT met"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=100_000)
    ap.add_argument("which", nargs="?", default="both", choices=("sqs", "kinesis", "both"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--repeat", type=int, default=None, help="timed runs per figure (default 3, 1 from 500,000)")
    args = ap.parse_args()
    try:
        import simpy  # noqa: F401
    except ImportError:
        print("SimPy is not installed: pip install -e '.[bench]'")
        raise SystemExit(2) from None
    n = args.n
    repeat = args.repeat or (1 if n >= 500_000 else 3)
    work = [("sqs", sqs_scenario, simpy_sqs), ("kinesis", kinesis_scenario, simpy_kinesis)]
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    ratios: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, scen, model in work:
            if args.which not in ("both", name):
                continue
            path = Path(tmp) / f"{name}.yaml"
            path.write_text(yaml.safe_dump(scen(n)), encoding="utf-8")
            base_t, base_runs, base_mem = timed(model, n, repeat)
            our_t, our_runs, our_mem = timed(lambda _n, p=path: cli_run(p, "--summary"), n, repeat)
            load_t, _, load_mem = timed(lambda _n, p=path: load_only(p), n, 1)
            print(f"{name}: {n:,} inputs, {base_runs:,} runs (SimPy) / {our_runs:,} (emulator); median of {repeat}")
            print(f"  SimPy model (fates + invocations recorded): {base_t:8.2f} s   peak {base_mem:8.1f} MiB")
            print(f"  study sim --summary:                        {our_t:8.2f} s   peak {our_mem:8.1f} MiB"
                  f"   ratio {our_t / base_t:6.2f}x time, {our_mem / base_mem:6.2f}x memory")
            print(f"    of which reading the scenario:            {load_t:8.2f} s   peak {load_mem:8.1f} MiB"
                  "   (study.sim.scenario: the count-input kept as one run)")
            run_t, run_runs, run_mem = run_only(path, n, repeat)
            assert run_runs == our_runs
            print(f"    the run alone (scenario already read):    {run_t:8.2f} s   peak {run_mem:8.1f} MiB"
                  f"   ratio {run_t / base_t:6.2f}x time, {run_mem / base_mem:6.2f}x memory")
            assert base_runs == our_runs, (base_runs, our_runs)
            ratios.append(f"  {name:8s} --summary time   {our_t / base_t:7.2f}x  (target <= {TARGETS['time']}x)  "
                          f"{verdict(our_t / base_t, TARGETS['time'])}")
            ratios.append(f"  {name:8s} --summary memory {our_mem / base_mem:7.2f}x  (target <= {TARGETS['memory']}x)  "
                          f"{verdict(our_mem / base_mem, TARGETS['memory'])}")
            ratios.append(f"  {name:8s} (the run alone, scenario already read: {run_t / base_t:.2f}x time, "
                          f"{run_mem / base_mem:.2f}x memory)")
            if args.json:
                out = Path(tmp) / f"{name}.json"
                js_t, _, js_mem = timed(lambda _n, p=path, o=out: cli_run(p, "--json", o), n, 1)
                size = os.path.getsize(out) / 2**20
                print(f"  study sim --json (to a file, {size:,.0f} MiB): {js_t:8.2f} s   peak {js_mem:8.1f} MiB"
                      f"   ratio {js_t / base_t:6.2f}x time")
                out.unlink()
                if name == "sqs":
                    ratios.append(f"  {name:8s} --json time      {js_t / base_t:7.2f}x  (target <= "
                                  f"{TARGETS['json_time']}x)  {verdict(js_t / base_t, TARGETS['json_time'])}")
                    ratios.append(f"  {name:8s} --json memory {js_mem:8.1f} MiB (target < {TARGETS['json_mib']:.0f})"
                                  f"  {verdict(js_mem, TARGETS['json_mib'] - 1e-9)}")
    print(f"targets at {n:,} inputs (issue 14 sets them at 1,000,000):")
    print("\n".join(ratios))
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
