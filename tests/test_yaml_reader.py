"""The app's one YAML reader (study.sim.yamlpos): same values as PyYAML's safe loader, every limit refused with
file:line:col, positions found on demand, and no other YAML loading anywhere in the app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from study import paths
from study.sim import yamlpos
from study.sim.errors import ScenarioError

ROOT = Path(__file__).resolve().parent.parent


def _same(a, b) -> bool:
    """Equal values of equal types, mapping keys in the same order (traces depend on that order)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _shipped_yaml() -> list[Path]:
    roots = [paths.content_dir(), paths.questions_dir(), ROOT / "tests"]
    return sorted(p for r in roots for p in r.rglob("*.yaml"))


def test_every_shipped_file_reads_as_the_safe_loader_reads_it() -> None:
    files = _shipped_yaml()
    assert len(files) > 100
    for f in files:
        with open(f, encoding="utf-8") as fh:
            expected = yaml.load(fh, Loader=yaml.SafeLoader)  # noqa: S506 - the reference, a safe loader
        got, _ = yamlpos.load_file(f)
        assert _same(got, expected), f


SCALARS = """\
a: 1
b: -2
c: 0o17
d: 017
e: 0x1F
f: 1_000
g: 1:30
h: 1.5
i: .inf
j: -.inf
k: 1e3
l: yes
m: Off
n: ~
o: null
p: 2026-01-01T00:00:00Z
q: 2026-01-02
r: '5'
s: "true"
t: !!str 12
u: !!int "7"
v: !!float 1
w: ""
x: 'text'
y: |
  block
z: !!binary aGVsbG8=
"""


def test_scalars_resolve_exactly_as_pyyaml_resolves_them() -> None:
    got, _ = yamlpos.load(SCALARS, "s.yaml")
    assert _same(got, yaml.safe_load(SCALARS))


def test_merge_keys_follow_the_yaml_merge_spec() -> None:
    """A list of mappings merged with `<<`: a key of an earlier mapping wins over a later one, a key written in the
    mapping itself is its own (YAML 1.1's merge type), keys merged first. PyYAML up to 6.0.3 gives the same; 6.0.4
    gives the later mapping's value for keys longer than one character (its new de-duplication compares the keys'
    string objects; https://github.com/yaml/pyyaml/issues/953), so the reader is checked against the rule, not
    against the installed PyYAML. Overriding a merged key in the mapping itself is refused (a typo that would
    silently win)."""
    for x, y, z in (("x", "y", "z"), ("xx", "yy", "zz")):
        text = f"base: &b {{{x}: 1, {y}: 2}}\nother: &o {{{y}: 3, {z}: 4}}\nm:\n  <<: [*b, *o]\n  w: 0\n"
        got, _ = yamlpos.load(text, "m.yaml")
        assert got["m"] == {x: 1, y: 2, z: 4, "w": 0}
        assert list(got["m"])[-1] == "w"
    with pytest.raises(ScenarioError, match="written twice in the same mapping"):  # stricter than YAML: no override
        yamlpos.load("a: &a {k: 1, j: 2}\nm: {<<: *a, k: 3}\n", "m.yaml")


def test_aliases_are_copies() -> None:
    data, _ = yamlpos.load("a: &x {k: [1]}\nb: *x\n", "a.yaml")
    data["b"]["k"].append(2)
    assert data["a"] == {"k": [1]}


def test_positions_of_keys_items_and_missing_paths() -> None:
    text = "title: t\ntrigger:\n  type: sqs\ninputs:\n  - {id: m1}\n  - id: m2\n    body: hello\n"
    _, marks = yamlpos.load(text, "p.yaml")
    assert marks.get(()) == (1, 1)
    assert marks.get(("trigger", "type")) == (3, 3)
    assert marks.get(("inputs", 0)) == (5, 5)
    assert marks.get(("inputs", 1, "body")) == (7, 5)
    assert marks.get(("inputs", 1, "nope")) == (6, 5)  # the nearest written ancestor
    assert marks.get(("inputs", 9)) == (4, 1)
    assert marks.get(("nothing",)) == (1, 1)


def _refused(text: str | bytes, tmp_path: Path, limits: yamlpos.Limits = yamlpos.LIMITS) -> ScenarioError:
    f = tmp_path / "bad.yaml"
    if isinstance(text, str):
        text = text.encode("utf-8")
    f.write_bytes(text)
    with pytest.raises(ScenarioError) as info:
        yamlpos.load_file(f, limits)
    err = info.value
    assert re.match(rf"{re.escape(str(f))}:\d+:\d+: ", str(err)), str(err)
    return err


def test_billion_laughs_is_refused_at_the_alias_that_crosses_the_limit(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    err = _refused("\n".join(lines) + "\n", tmp_path)
    assert "100,000" in err.message and err.line == 6  # in a5, the first list of aliases that big


def test_alias_count_limit(tmp_path: Path) -> None:
    err = _refused("a: &a 1\nb: [" + ", ".join(["*a"] * 30) + "]\n", tmp_path, yamlpos.Limits(aliases=20))
    assert "more than 20 aliases" in err.message and err.line == 2


def test_alias_depth_counts_where_it_lands(tmp_path: Path) -> None:
    err = _refused("a: &a [[[1]]]\nb: [[[*a]]]\n", tmp_path, yamlpos.Limits(depth=5))
    assert "levels deep" in err.message and (err.line, err.col) == (2, 7)


def test_nesting_limit(tmp_path: Path) -> None:
    err = _refused("x: " + "[" * 5000 + "]" * 5000 + "\n", tmp_path)
    assert "more than 100 levels" in err.message and (err.line, err.col) == (1, 103)


def test_value_count_limit(tmp_path: Path) -> None:
    err = _refused("[" + ", ".join(["1"] * 50) + "]\n", tmp_path, yamlpos.Limits(values=40))
    assert "more than 40 values" in err.message


def test_file_size_limit(tmp_path: Path) -> None:
    err = _refused("a: " + "x" * 200 + "\n", tmp_path, yamlpos.Limits(file_bytes=100))
    assert "larger than 100 bytes" in err.message


@pytest.mark.parametrize("text, where, what", [
    (b"\x00\x01\x02title: x\n", (1, 1), "U+0000"),
    (b"title: ok\nbody: a\x1bb\n", (2, 8), "U+001B"),
    (b"title: ok\nbody: caf\xe9\n", (2, 10), "not UTF-8"),
    ("title: ok\nbody: \u0085\x85\x9f\n".encode(), (2, 9), "U+009F"),
])
def test_unreadable_text(tmp_path: Path, text, where, what) -> None:
    err = _refused(text, tmp_path)
    assert (err.line, err.col) == where and what in err.message


@pytest.mark.parametrize("text, what", [
    ("a: 1\na: 2\n", "written twice"),
    ("? [1, 2]\n: x\n", "plain value"),
    ("a: &a [*a]\n", "inside the value it refers to"),
    ("a: *nope\n", "refers to no anchor"),
    ("a: !!python/object:os.system x\n", "not allowed"),
    ("a: !custom 1\n", "not allowed"),
    ("a: !!set {x}\n", "not allowed"),
    ("a: 1\n---\nb: 2\n", "single document"),
    ("a: [1\n", "not valid YAML"),
    ("a: &x 1\nb: &x 2\n", "defined twice"),
    ("a: =\n", "quotes"),
    ("a: !!int 12x\n", "not a valid int"),
])
def test_refusals_with_position(tmp_path: Path, text: str, what: str) -> None:
    assert what in _refused(text, tmp_path).message


def test_no_yaml_loading_outside_the_one_reader() -> None:
    """Every YAML the app reads goes through yamlpos (new loaders too, e.g. challenges)."""
    pattern = re.compile(r"yaml\.(load|safe_load|full_load|unsafe_load|load_all|safe_load_all|compose|parse)\(|"
                         r"CSafeLoader|CLoader|yaml\.SafeLoader\(")
    offenders = []
    for f in sorted((ROOT / "study").rglob("*.py")):
        if f.name == "yamlpos.py" and f.parent.name == "sim":
            continue
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "read YAML with study.sim.yamlpos.load_file:\n" + "\n".join(offenders)


def test_many_lookups_index_the_file_once_and_agree_with_single_lookups() -> None:
    for f in [paths.rules_file(), *sorted((paths.questions_dir() / "bank").glob("*.yaml"))[:2]]:
        text = f.read_text(encoding="utf-8")
        data, many = yamlpos.load(text, str(f))
        wanted = [("questions", i, "id") for i in range(len(data.get("questions", [])))] or \
                 [("rules", i, "id") for i in range(40)]
        answers = [many.get(p) for p in wanted]  # past the first lookups, one pass indexes every path
        for p, got in zip(wanted, answers, strict=True):
            _, fresh = yamlpos.load(text, str(f))
            assert fresh.get(p) == got, (f, p)
            line = text.splitlines()[got[0] - 1]
            assert line[got[1] - 1:].startswith("id:"), (p, line)
