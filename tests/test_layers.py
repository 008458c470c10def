"""The layers of docs/architecture.md, enforced: every module's imports (function-level ones included) point down
the table or stay inside their own layer, faces never import one another, and no two modules import each other
round a circle. The departures that exist today are listed below, each to be removed; any new one fails."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

STUDY = Path(__file__).resolve().parent.parent / "study"

# (rank, layer) by module prefix; the longest matching prefix wins ("study" itself only matches the package root).
# A new module must fit one of these.
LAYERS: dict[str, tuple[int, str]] = {
    "study": (0, "base"),
    "study.paths": (0, "base"),
    "study.sim": (1, "emulator"),
    "study.content": (2, "content"),
    "study.demo": (2, "content"),
    "study.export": (2, "content"),
    "study.lab": (2, "content"),
    "study.playback": (2, "content"),
    "study.quiz": (3, "questions"),
    "study.check": (3, "questions"),
    "study.challenges": (3, "questions"),
    "study.learning": (4, "learning"),
    "study.classroom": (4, "learning"),
    "study.terminal": (5, "face:terminal"),
    "study.render": (5, "face:terminal"),
    "study.tui": (5, "face:tui"),
    "study.snapshot": (5, "face:tui"),
    "study.serve": (5, "face:web"),
    "study.cli": (6, "entry"),
    "study.__main__": (6, "entry"),
}

# Known departures, to be removed (docs/architecture.md, "Known departures"). Delete an entry when it is fixed.
ALLOWED_EDGES: set[tuple[str, str]] = set()
ALLOWED_MODULE_CYCLES: list[set[str]] = []
ALLOWED_PACKAGE_CYCLES: list[set[str]] = []


def modules() -> dict[str, Path]:
    found = {}
    for file in STUDY.rglob("*.py"):
        parts = file.relative_to(STUDY.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = file
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of ours it imports anywhere in its body (`from study.x import y` counts as
    study.x.y when that is a module, else study.x)."""
    mods = modules()

    def owner(name: str) -> str:
        while name not in mods:
            name = name.rpartition(".")[0]
        return name

    graph: dict[str, set[str]] = defaultdict(set)
    for mod, file in mods.items():
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "study":
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in mods else node.module
                           for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.split(".")[0] == "study"]
            graph[mod].update(owner(t) for t in targets if owner(t) != mod)
    return graph


def layer(mod: str) -> tuple[int, str] | None:
    best = None
    for prefix, value in LAYERS.items():
        matches = mod == prefix or (prefix != "study" and mod.startswith(prefix + "."))
        if matches and (best is None or len(prefix) > len(best[0])):
            best = (prefix, value)
    return best[1] if best else None


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in sorted(set(graph) | {w for ws in graph.values() for w in ws}):
        if v not in index:
            visit(v)
    return out


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    def package(mod: str) -> str:
        return ".".join(mod.split(".")[:2])

    out: dict[str, set[str]] = defaultdict(set)
    for a, targets in graph.items():
        for b in targets:
            if package(a) != package(b) and package(b) != "study":
                out[package(a)].add(package(b))
    return out


def against_the_table(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    bad = set()
    for a, targets in graph.items():
        for b in targets:
            (ra, la), (rb, lb) = layer(a), layer(b)
            if rb > ra or (la != lb and la.startswith("face:") and lb.startswith("face:")):
                bad.add((a, b))
    return bad


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(m for m in modules() if layer(m) is None)
    assert not unplaced, f"give these modules a layer in LAYERS (and docs/architecture.md): {unplaced}"


def test_imports_point_down_the_layers() -> None:
    graph = import_graph()
    assert sum(len(t) for t in graph.values()) > 100, "the import scan found too little; did study/ move?"
    bad = against_the_table(graph)
    new = sorted(bad - ALLOWED_EDGES)
    assert not new, "imports upward or between faces: " + ", ".join(
        f"{a} ({layer(a)[1]}) -> {b} ({layer(b)[1]})" for a, b in new)
    fixed = sorted(ALLOWED_EDGES - bad)
    assert not fixed, f"these allowed departures are gone; remove them from ALLOWED_EDGES: {fixed}"


def test_no_new_import_cycles() -> None:
    found = cycles(import_graph())
    new = [sorted(c) for c in found if c not in ALLOWED_MODULE_CYCLES]
    assert not new, f"import cycles: {new}"
    fixed = [sorted(c) for c in ALLOWED_MODULE_CYCLES if c not in found]
    assert not fixed, f"these cycles are gone; remove them from ALLOWED_MODULE_CYCLES: {fixed}"


def test_no_new_package_cycles() -> None:
    found = cycles(package_graph(import_graph()))
    new = [sorted(c) for c in found if c not in ALLOWED_PACKAGE_CYCLES]
    assert not new, f"packages importing each other: {new}"
    fixed = [sorted(c) for c in ALLOWED_PACKAGE_CYCLES if c not in found]
    assert not fixed, f"these package cycles are gone; remove them from ALLOWED_PACKAGE_CYCLES: {fixed}"


def test_the_checks_can_fail() -> None:
    """The detectors themselves, on a made-up graph: an upward edge, a face-to-face edge and a circle."""
    graph = {"study.sim.engine": {"study.quiz.model"}, "study.tui.app": {"study.terminal.quiz"},
             "study.content": {"study.demo"}, "study.demo": {"study.content"}}
    assert against_the_table(graph) == {("study.sim.engine", "study.quiz.model"),
                                        ("study.tui.app", "study.terminal.quiz")}
    assert cycles(graph) == [{"study.content", "study.demo"}]
