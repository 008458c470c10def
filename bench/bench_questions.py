"""Benchmark: generating the whole default question bank, against running its scenarios one by one (same run).

    python3 bench/bench_questions.py [--repeat N]

Prints figures only; the target (issue: "well under 2 s on this machine") is a figure to read, not an assertion.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def _timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return result, times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from study.content import load_rules
    from study.lab import lab_files
    from study.quiz.bank import load_bank
    from study.quiz.generate import Report, generate_all
    from study.quiz.question_runs import TraceCache, run_scenario
    from study.quiz.templates import load_templates
    from study.sim.run import simulate_file

    load_rules()
    t_import = time.perf_counter() - t0

    def whole_bank():
        # Everything `study questions` does for seed 0: read templates and bank, generate, deduplicate.
        report = Report()
        templates = load_templates()
        bank = load_bank()
        questions = generate_all(0, templates=templates, cache=TraceCache(), report=report)
        return questions, bank, report

    (questions, bank, report), t_bank = _timed(whole_bank, args.repeat)

    templates = load_templates()
    _, t_cache = _timed(lambda: generate_all(0, templates=templates, cache=TraceCache()), args.repeat)
    _, t_nocache = _timed(lambda: generate_all(0, templates=templates, cache=TraceCache(enabled=False)),
                          args.repeat)

    simulated = [q for q in questions if q.params is not None]
    labs = [q for q in questions if (q.template or "").startswith("lab.")]

    def one_by_one():
        # The baseline: each question's own runs, nothing shared: its scenario, then one run per wrong option
        # that a misconception produced (every lab file once, plus once per misconception option).
        from study.quiz.question_runs import apply_set

        runs = 0
        for q in simulated:
            engine = "pricing" if "pricing" in q.scenario else "emulator"
            run_scenario(engine, q.scenario)
            runs += 1
            for o in q.options:
                if o.replay is not None:
                    scen = apply_set(q.scenario, o.replay["set"]) if o.replay.get("set") else q.scenario
                    run_scenario(engine, scen, frozenset(o.replay["misconceptions"]))
                    runs += 1
        for q in labs:
            simulate_file(q.scenario["file"])
            runs += 1
            for o in q.options:
                if o.misconception:
                    simulate_file(q.scenario["file"], frozenset({o.misconception}))
                    runs += 1
        return runs

    baseline_runs, t_base = _timed(one_by_one, args.repeat)

    generated = len(questions)
    med = statistics.median
    print(f"question bank, seed 0 ({args.repeat} runs each, median; imports and rules table: {t_import:.3f} s)")
    print(f"  questions: {generated} generated + {len(bank.questions)} hand-written; "
          f"{len(simulated)} simulation-backed from {len({q.template for q in simulated})} templates, "
          f"{len(labs)} from labs, files: {len(lab_files())} labs")
    print(f"  generation: {report.runs} emulator runs, {report.hits} cache hits, "
          f"{sum(sum(c.values()) for c in report.redraws.values())} redraws, {report.duplicates} duplicates dropped")
    print(f"  whole default bank (templates + bank + generation):  {med(t_bank):7.3f} s "
          f"(min {min(t_bank):.3f}; {1000 * med(t_bank) / generated:.2f} ms per question)  target < 2 s")
    print(f"  generation alone (templates already read):            {med(t_cache):7.3f} s")
    print(f"  generation alone without the trace cache:             {med(t_nocache):7.3f} s")
    print(f"  baseline, each question's scenarios one by one:       {med(t_base):7.3f} s "
          f"({baseline_runs} runs, no redraws, no sharing)")
    print(f"  ratio generation / one-by-one baseline:               {med(t_cache) / med(t_base):7.2f}")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "study", "questions", "--stats"], check=True, capture_output=True)
    print(f"  `study questions --stats` in a fresh process:         {time.perf_counter() - t:7.3f} s (1 run)")


if __name__ == "__main__":
    main()
