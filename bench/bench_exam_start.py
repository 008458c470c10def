"""Benchmark: the wait between pressing Start and the first exam question, against drawing the pool at Start.

    python3 bench/bench_exam_start.py [--repeat N]

The exam screen prepares the question pool (bank + generated for the attempt's seed) in a worker while the start
page shows; Start then only draws and saves the attempt. The baseline, measured in the same run, is what Start
cost before: generating the pool for a fresh seed and then drawing. Target (issue 12): Start under 300 ms.
Prints figures only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    os.environ["STUDY_HOME"] = tempfile.mkdtemp(prefix="bench-exam-")

    from study.learning.exam import ExamSession
    from study.learning.store import Store
    from study.quiz import all_questions
    from study.quiz.generate import _cached

    store = Store()
    started, baseline, prepare = [], [], []
    for k in range(args.repeat):
        seed = 1000 + k
        _cached.cache_clear()
        t = time.perf_counter()
        pool = all_questions(seed=seed)  # what the worker does while the start page shows
        prepare.append(time.perf_counter() - t)
        t = time.perf_counter()
        ExamSession.start(store, pool, n=65, minutes=130, seed=seed)  # what Start does now
        started.append(time.perf_counter() - t)
        _cached.cache_clear()
        t = time.perf_counter()
        ExamSession.start(store, all_questions(seed=seed + 500), n=65, minutes=130, seed=seed + 500)  # before
        baseline.append(time.perf_counter() - t)
    med = statistics.median
    print(f"exam start, 65 questions ({args.repeat} runs each, median)")
    print(f"  Start with the pool prepared in a worker:   {1000 * med(started):8.1f} ms (max "
          f"{1000 * max(started):.1f})  target < 300 ms")
    print(f"  the worker's preparation (off the wait):    {1000 * med(prepare):8.1f} ms")
    print(f"  baseline, pool drawn at Start:              {1000 * med(baseline):8.1f} ms")
    print(f"  ratio Start / baseline:                     {med(started) / med(baseline):8.3f}")


if __name__ == "__main__":
    main()
