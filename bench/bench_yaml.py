"""Reading speed: the app's YAML reader (study.sim.yamlpos, positions on demand) vs a plain
`yaml.load(..., Loader=yaml.CSafeLoader)` of the same 200,000-input scenario, in the same run.

Target: the app's reader takes at most 1.5x the plain C loader's time. Also printed: the plain loader with the
garbage collector paused (what the app's reader does), the reader of the previous version (PyYAML's pure-Python
composer with a mark per path) on a 20,000-input cut, how long the first position lookup of an error takes, and the
peak memory of each (tracemalloc).

Run: python3 bench/bench_yaml.py [N]   (N inputs, default 200000; each timing is the best of 3)
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

from study.sim import yamlpos


def scenario_text(n: int) -> str:
    return "title: many\ntrigger: {type: sqs}\ninputs:\n" + "".join(f"  - {{id: m{i:06d}, at: 0}}\n" for i in range(n))


def plain_c(path: Path):
    with open(path, "rb") as fh:
        return yaml.load(fh, Loader=yaml.CSafeLoader)  # noqa: S506 - the baseline, a safe loader


def plain_c_no_gc(path: Path):
    gc.disable()
    try:
        return plain_c(path)
    finally:
        gc.enable()


def ours(path: Path):
    return yamlpos.load_file(path)[0]


def previous(path: Path):
    """The reader this one replaces: PyYAML's pure-Python composer, a mark recorded for every path."""
    loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
    marks: dict = {}

    def build(node, at):
        marks[at] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return {loader.construct_object(k): build(v, (*at, k.value)) for k, v in node.value}
        if isinstance(node, yaml.SequenceNode):
            return [build(c, (*at, i)) for i, c in enumerate(node.value)]
        return loader.construct_object(node)

    try:
        return build(loader.get_single_node(), ())
    finally:
        loader.dispose()


def best(fn, path: Path, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - t0)
    return min(times)


def peak_mb(fn, path: Path) -> float:
    tracemalloc.start()
    fn(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "many.yaml"
        big.write_text(scenario_text(n), encoding="utf-8")
        cut = Path(tmp) / "cut.yaml"
        cut.write_text(scenario_text(min(n, 20_000)), encoding="utf-8")
        assert ours(big) == plain_c(big), "the reader must give the C loader's values"
        print(f"{n:,} inputs, {big.stat().st_size / 1e6:.1f} MB; best of 3 (seconds); peak memory (tracemalloc)")
        base = best(plain_c, big)
        rows = [("yaml.load, CSafeLoader (baseline)", base, peak_mb(plain_c, big)),
                ("yaml.load, CSafeLoader, GC paused", best(plain_c_no_gc, big), peak_mb(plain_c_no_gc, big)),
                ("study.sim.yamlpos.load_file", best(ours, big), peak_mb(ours, big))]
        for name, t, mb in rows:
            print(f"  {name:40s} {t:7.2f} s  {t / base:5.2f}x   {mb:6.0f} MB")
        _, marks = yamlpos.load_file(big)
        t0 = time.perf_counter()
        where = marks.get(("inputs", n // 2, "id"))
        print(f"  first position lookup, input {n // 2:,} {time.perf_counter() - t0:7.2f} s  (line {where[0]:,})")
        cut_base = best(plain_c, cut)
        cut_prev = best(previous, cut, 1)
        cut_ours = best(ours, cut)
        print(f"{min(n, 20_000):,}-input cut: CSafeLoader {cut_base:.2f} s, this reader {cut_ours:.2f} s "
              f"({cut_ours / cut_base:.2f}x), the previous reader {cut_prev:.2f} s ({cut_prev / cut_base:.1f}x)")
        ratio = rows[2][1] / base
        verdict = "meets" if ratio <= 1.5 else "MISSES"
        print(f"target: at most 1.5x the plain CSafeLoader load: {ratio:.2f}x, {verdict} it")
        return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
