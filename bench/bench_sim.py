"""Emulator speed: our heap-of-tuples engine vs the same async-retry workload as a SimPy model, same run.

Run: python3 bench/bench_sim.py [N]   (needs the `bench` extra for SimPy: pip install -e '.[bench]')
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc

from study.sim.run import simulate
from study.sim.scenario.load import scenario_from_dict


def scenario(n: int) -> dict:
    # n async events, every one fails twice then succeeds: 3 runs each, retries at +60 s and +120 s.
    return {"title": "bench", "account_concurrency": 100000,
            "function": {"behavior": {"fail_attempts": [1, 2], "duration": 0.5}},
            "trigger": {"type": "async"},
            "inputs": [{"at": round(i * 0.01, 3), "id": f"e{i}", "payload": {"n": i}} for i in range(n)]}


def ours(n: int) -> int:
    trace = simulate(scenario_from_dict(scenario(n)))
    return trace["summary"]["invocations"]


def simpy_model(n: int) -> int:
    import simpy

    env = simpy.Environment()
    runs = [0]

    def event(i: int):
        yield env.timeout(i * 0.01)
        for attempt in (1, 2, 3):
            yield env.timeout(0.5)
            runs[0] += 1
            if attempt < 3:
                yield env.timeout(60 if attempt == 1 else 120)

    for i in range(n):
        env.process(event(i))
    env.run()
    return runs[0]


def timed(fn, n: int, repeat: int = 3) -> tuple[float, int, float]:
    times = []
    result = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(n)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn(n)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), result, peak / 2**20


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    try:
        import simpy  # noqa: F401
    except ImportError:
        print("SimPy is not installed: pip install -e '.[bench]'")
        raise SystemExit(2) from None
    base_t, base_runs, base_mem = timed(simpy_model, n)
    our_t, our_runs, our_mem = timed(ours, n)
    assert base_runs == our_runs == 3 * n
    print(f"workload: {n} async events x 3 attempts = {3 * n} runs (median of 3)")
    print(f"  SimPy baseline (bare timing model, no payloads/trace): {base_t * 1000:8.1f} ms  peak {base_mem:6.1f} MiB")
    print(f"  study emulator (full trace, payloads, logs, records):  {our_t * 1000:8.1f} ms  peak {our_mem:6.1f} MiB")
    print(f"  ratio: {our_t / base_t:.2f}x the baseline's time; {our_runs / our_t:,.0f} runs/s")


if __name__ == "__main__":
    main()
