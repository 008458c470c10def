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

`--json` of the SQS workload takes the round writer (study.sim.group_trace; docs/emulator.md "Lean mode and scale"):
every run of this backlog is known before it starts, so the trace is written a poll round at a time, one list of the
trace after another, straight to the output; the text of a round (its runs' records, events, ids, timeline entries
and log lines) is made by study/sim/_bulktext.c while a thread of its own writes the text made so far, with SHA-256
and MD5 from the libcrypto Python's hashlib loaded. It is timed three ways:
  - to /dev/null: the emulator's own time (text made and handed to the kernel, no file);
  - to a file, `--repeat` times (each run's wall, user and system time printed): the kernel copies 1.2 GB into the
    page cache. On the VMs this project runs on, memory the kernel freed goes back to the host after a few seconds,
    and the next run's page cache has to be faulted in from the host again: a cold run's system time is several
    seconds, a warm one's a third of a second, whoever writes the bytes;
  - the write floor: the same number of bytes written to a new file in 1 MiB blocks by this process, no trace at
    all, timed just before the file runs (so it shows how cold the page cache is in this run).
Its peak memory is the whole `study sim --json` process's peak RSS (VmHWM, read by a process of its own at its
end), the C buffers included (tracemalloc would see only Python's). The Kinesis workload's `--json` takes the per-record source with
text events only (study.sim.text_events).

Usage: python3 bench/bench_sqs_scale.py [N] [sqs|kinesis|both] [--json] [--repeat R]
  N defaults to 100,000 (the issue's targets are for 1,000,000; the machine is shared, so the load average is printed
  at the start and the end).
  --json also times `study sim --json`, to /dev/null and to a temporary file (its size is printed).
At the end: each ratio against its target (--summary time and peak memory against the SimPy model's, --json time
against the SimPy model's, to /dev/null and the median to a file, --json peak memory against 1 GiB), met or not.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
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


_PEAK = """import sys
from study import cli
rc = cli.main(["sim", sys.argv[1], "--json"])
sys.stdout.flush()
with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM")), file=sys.stderr)
sys.exit(rc)
"""


def json_child(path: Path, out: str) -> tuple[float, float]:
    """`study sim PATH --json > out` in a process of its own: (wall seconds, its peak RSS in MiB). The peak is the
    process's own VmHWM, read by itself at the end (a child's ru_maxrss would count the parent's pages it had
    between fork and exec)."""
    with open(out, "wb") as sink:
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _PEAK, str(path)], stdout=sink, stderr=subprocess.PIPE,
                              text=True, check=True)
        wall = time.perf_counter() - t0
    return wall, int(done.stderr.split()[-1]) / 1024


def timed_json(path: Path, out: str) -> tuple[float, float, float]:
    """`study sim --json` in this process (already warmed by the --summary runs): wall, user and system seconds."""
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    cli_run(path, "--json", Path(out))
    wall, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    return wall, r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime


def write_floor(size: int, out: Path) -> tuple[float, float]:
    """`size` bytes to a new file in 1 MiB blocks: wall and system seconds."""
    block = b"x" * (1 << 20)
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        left = size
        while left > 0:
            left -= os.write(fd, block[:left])
    finally:
        os.close(fd)
    wall, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    out.unlink()
    return wall, r1.ru_stime - r0.ru_stime


def json_runs(name: str, path: Path, n: int, repeat: int, base_t: float, tmp: Path, ratios: list[str]) -> None:
    nulls = [timed_json(path, os.devnull) for _ in range(repeat)]
    null_t = statistics.median(w for w, _, _ in nulls)
    print(f"  study sim --json to /dev/null:              {null_t:8.2f} s   (median of {repeat}: "
          + ", ".join(f"{w:.2f} s [user {u:.2f}, sys {s:.2f}]" for w, u, s in nulls) + f")   ratio "
          f"{null_t / base_t:6.2f}x time")
    out = tmp / f"{name}.json"
    timed_json(path, str(out))
    size = out.stat().st_size
    out.unlink()
    floor_t, floor_sys = write_floor(size, tmp / "floor.bin")
    print(f"  writing {size / 2**20:,.0f} MiB to a new file, no trace (the floor): {floor_t:.2f} s [sys {floor_sys:.2f}]")
    files = []
    for _ in range(repeat):
        files.append(timed_json(path, str(out)))
        out.unlink()
    file_t = statistics.median(w for w, _, _ in files)
    print(f"  study sim --json to a file ({size / 2**20:,.0f} MiB):   {file_t:8.2f} s   (median of {repeat}: "
          + ", ".join(f"{w:.2f} s [user {u:.2f}, sys {s:.2f}]" for w, u, s in files) + f")   ratio "
          f"{file_t / base_t:6.2f}x time")
    child_t, peak = json_child(path, str(out))
    out.unlink()
    print(f"  study sim --json to a file, a process of its own: {child_t:.2f} s, peak RSS {peak:,.1f} MiB")
    if name == "sqs":
        for where, value in (("/dev/null", null_t), ("a file", file_t)):
            ratios.append(f"  {name:8s} --json time, {where:9s} {value / base_t:7.2f}x  (target <= "
                          f"{TARGETS['json_time']}x)  {verdict(value / base_t, TARGETS['json_time'])}")
        ratios.append(f"  {name:8s} --json peak RSS  {peak:8.1f} MiB (target < {TARGETS['json_mib']:.0f})"
                      f"  {verdict(peak, TARGETS['json_mib'] - 1e-9)}")


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "NOT met"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=100_000)
    ap.add_argument("which", nargs="?", default="both", choices=("sqs", "kinesis", "both"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--repeat", type=int, default=None, help="timed runs per figure, the median printed (default 3)")
    args = ap.parse_args()
    try:
        import simpy  # noqa: F401
    except ImportError:
        print("SimPy is not installed: pip install -e '.[bench]'")
        raise SystemExit(2) from None
    n = args.n
    repeat = args.repeat or 3  # one run of a 50 ms figure (Kinesis) swings by half on this shared machine
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
                json_runs(name, path, n, repeat, base_t, Path(tmp), ratios)
    print(f"targets at {n:,} inputs (issue 14 sets them at 1,000,000):")
    print("\n".join(ratios))
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
