"""What running learner code in child processes costs: every challenge's model solution graded through the sandbox
(a child process per execution environment) against the same scenarios run in-process (RealHandler), both in
this run. Prints per-challenge medians and the total ratio. Usage: python3 bench/bench_challenges.py [RUNS]

The in-process baseline is what the emulator did before; it is not safe for learner code (no time or memory
bound), which is why the sandbox exists. `context-remaining-time` sleeps on purpose and is left out.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from study.challenges.grade import grade
from study.challenges.model import HANDLER_FILE, load_challenges
from study.sim.run import simulate

SKIP = {"context-remaining-time"}


def in_process(challenge) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        task = Path(tmp)
        (task / HANDLER_FILE).write_text(challenge.solution, encoding="utf-8")
        state = task / "state"
        state.mkdir()
        import os

        os.environ["LABKIT_DIR"] = str(state)
        from study.challenges.sandbox import KIT

        sys.path.insert(0, str(KIT))
        try:
            for scenario in challenge.scenarios:
                os.environ["LABKIT_FLAKY"] = ",".join(scenario.kit.get("flaky", []))
                sys.modules.pop("labkit", None)
                simulate(scenario.build(challenge.file, task, f"{HANDLER_FILE}:{challenge.handler}"))
        finally:
            sys.path.remove(str(KIT))


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rows = []
    for c in load_challenges():
        if c.id in SKIP:
            continue
        child, inproc = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            grade(c, c.solution)
            child.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            in_process(c)
            inproc.append(time.perf_counter() - t0)
        rows.append((c.id, statistics.median(child), statistics.median(inproc)))
    print(f"{'challenge':<26} {'sandbox ms':>11} {'in-process ms':>14} {'ratio':>7}")
    for cid, a, b in rows:
        print(f"{cid:<26} {a * 1000:>11.1f} {b * 1000:>14.1f} {a / b:>7.1f}")
    total_a, total_b = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'all':<26} {total_a * 1000:>11.1f} {total_b * 1000:>14.1f} {total_a / total_b:>7.1f}")


if __name__ == "__main__":
    main()
