"""The streaming `--json` writer (study.sim.spool) writes the same bytes as `dumps(simulate(...))`, for every case
and lab, when it spools often (every few events) as well as rarely."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from study.sim.engine import dumps
from study.sim.errors import ScenarioError
from study.sim.run import simulate, simulate_to
from study.sim.scenario.load import load_scenario
from study.sim.spool import encode

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "tests/cases").rglob("*.yaml")) + sorted((ROOT / "content/labs").glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_streamed_trace_is_byte_identical(path: Path) -> None:
    try:
        load_scenario(path)
    except ScenarioError:
        return  # an invalid case: `study sim` refuses it before running anything
    want = dumps(simulate(load_scenario(path)))
    for every in (1, 7, 20000):
        out = io.StringIO()
        simulate_to(load_scenario(path), out, every)
        assert out.getvalue() == want, every


def test_spooling_leaves_only_unfinished_records_in_memory() -> None:
    from study.sim.engine import Engine
    from study.sim.run import source_for
    from study.sim.scenario.load import scenario_from_dict
    from study.sim.spool import TraceSpool

    data = {"title": "backlog", "function": {"behavior": {"duration": 1}},
            "trigger": {"type": "sqs", "BatchSize": 10}, "inputs": [{"at": 0, "count": 3000, "prefix": "m"}]}
    engine = Engine(scenario_from_dict(data))
    spool = TraceSpool(50)
    engine.run(source_for(engine), spool)
    # 300 runs of which only those still going at the last flush stay in memory (5 pollers, then 65 a minute).
    assert spool.n > 200 and len(engine.invocations) < 100
    assert spool.timeline.count > 1000 and len(engine.timeline) < 1000
    out = io.StringIO()
    spool.finish(engine, source_for(engine), out)
    assert out.getvalue() == dumps(simulate(scenario_from_dict(data)))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text() | st.integers() | st.floats() | st.booleans() | st.none(), inner, max_size=4),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(value=JSON)
def test_encoder_matches_json_dumps(value) -> None:
    want = json.dumps(value, indent=2, ensure_ascii=False)
    assert encode(value) == want
    assert encode(value, "\n    ") == want.replace("\n", "\n    ")
