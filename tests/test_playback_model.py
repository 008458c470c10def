"""The Watch view's pure core: the reducer agrees with the emulator's own verdicts, stepping back equals
replaying from the start, and the player collapses late ticks instead of queueing them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from study import paths
from study import playback as pm
from study.sim.errors import ScenarioError
from study.sim.run import simulate
from study.sim.scenario.load import load_scenario

HERE = Path(__file__).parent
FILES = sorted((HERE / "cases").glob("*.yaml")) + sorted((HERE / "snapshots" / "scenarios").glob("*.yaml")) + sorted(
    paths.labs_dir().glob("*.yaml"))


def trace_of(path: Path) -> dict | None:
    try:
        return simulate(load_scenario(path))
    except ScenarioError:
        return None  # refused configurations have no timeline


def _loads(path: Path) -> bool:
    try:
        load_scenario(path)
    except ScenarioError:
        return False
    return True


# Collection only parses (every xdist worker collects every file); each trace is simulated when a test first needs
# it, in the worker that runs that test, and shared by this file's tests as the list of traces was.
RUNNABLE = [p for p in FILES if _loads(p)]
_traces: dict[Path, dict] = {}


def traced(path: Path) -> dict:
    if path not in _traces:
        _traces[path] = simulate(load_scenario(path))
    return _traces[path]


@pytest.mark.parametrize("path", RUNNABLE, ids=[f"{p.parent.name}/{p.name}" for p in RUNNABLE])
def test_reducer_reaches_the_emulators_final_states(path) -> None:
    trace = traced(path)
    model = pm.PlaybackModel(trace)
    for iid, info in trace["inputs"].items():
        assert model.final_word(iid) == info["final"], f"{iid}: timeline says {model.final_word(iid)}"
    model.seek(len(model))
    view = model.view()
    assert view.invocations == trace["summary"]["invocations"]
    assert view.throttles == sum(1 for e in trace["timeline"] if e["kind"] == "throttle")
    assert view.errors == trace["summary"]["errors"]
    assert sum(info[1] for t, info in view.sinks.items() if t != "client") == sum(
        len(d["inputs"]) for d in trace["deliveries"])


def _state(model: pm.PlaybackModel) -> tuple:
    v = model.view()
    return (v.pos, v.t, list(v.states), [list(c) for c in v.lane_counts], dict(v.envs), list(v.env_counts),
            dict(v.retries), dict(v.sinks), v.invocations, v.errors, v.throttles, v.cold_starts, v.pollers,
            v.running, v.last_bisect)


@pytest.mark.parametrize("name", ["kinesis.yaml", "many-sqs.yaml", "fifo.yaml", "dynamodb.yaml"])
def test_seek_anywhere_equals_replay_from_start(name: str) -> None:
    trace = trace_of(HERE / "snapshots" / "scenarios" / name)
    model = pm.PlaybackModel(trace, checkpoint_every=7)  # small, so restores cross checkpoints
    fresh = pm.PlaybackModel(trace, checkpoint_every=10**9)
    rng = random.Random(7)
    for k in [0, len(model), len(model) - 1, 1] + [rng.randrange(len(model) + 1) for _ in range(40)]:
        model.seek(k)
        fresh.seek(0)
        for _ in range(k):
            fresh.step(1)
        assert _state(model) == _state(fresh), f"position {k}"


def test_stepping_back_and_forth_is_symmetric() -> None:
    trace = trace_of(HERE / "snapshots" / "scenarios" / "kinesis.yaml")
    model = pm.PlaybackModel(trace)
    model.seek(20)
    before = _state(model)
    model.step(5)
    model.step(-5)
    assert _state(model) == before
    assert model.step(-1000) == 0 and model.step(10**6) == len(model)


def test_bisect_and_retry_show_in_the_view() -> None:
    model = pm.PlaybackModel(trace_of(HERE / "snapshots" / "scenarios" / "kinesis.yaml"))
    first_bisect = next(i for i, e in enumerate(model.entries) if e["kind"] == "bisect")
    model.seek(first_bisect + 1)
    view = model.view()
    assert view.last_bisect is not None and view.last_bisect[2] == ("r5", "r6")
    async_model = pm.PlaybackModel(trace_of(HERE / "snapshots" / "scenarios" / "async.yaml"))
    k = next(i for i, e in enumerate(async_model.entries) if e["kind"] == "retry_scheduled")
    async_model.seek(k + 1)
    (due, attempt, ids, why), = async_model.view().retries.values()
    assert (due, attempt, ids, why) == (60.0, 2, ("e1",), "retry")


def test_player_collapses_a_late_tick_and_keeps_bursts_visible() -> None:
    model = pm.PlaybackModel(trace_of(HERE / "snapshots" / "scenarios" / "kinesis.yaml"))  # 50 entries at t = 0
    player = pm.Player(model)
    player.advance(10.0)  # a tick ten seconds late applies one bounded burst, not ten seconds of backlog
    assert 0 < model.pos <= pm.Player.BASE_EVENTS_PER_SECOND
    steps = 0
    while not player.at_end:
        player.advance(1 / 30)
        steps += 1
    # 50 entries at six a second: about eight seconds of real time at x1, whatever the clock said.
    assert 7 * 30 <= steps + 1 <= 9 * 30


def test_player_runs_the_simulated_clock_between_events() -> None:
    model = pm.PlaybackModel(trace_of(HERE / "snapshots" / "scenarios" / "async.yaml"))  # retries at 60 and 180 s
    player = pm.Player(model)
    assert player.base_rate == 10  # 180 s in about 20 s
    while model.next_time() == 0.0:
        player.advance(1 / 30)
    player.advance(1.0)
    assert 0 < player.clock < 60 and model.next_time() == 60.0
    player.faster()
    assert player.speed == 2


def test_many_inputs_stay_countable() -> None:
    model = pm.PlaybackModel(trace_of(HERE / "snapshots" / "scenarios" / "many-sqs.yaml"))
    model.seek(len(model) // 2)
    view = model.view()
    assert sum(view.lane_counts[0]) == 1000
    assert view.env_counts[pm.ENV_BUSY] + view.env_counts[pm.ENV_IDLE] + view.env_counts[pm.ENV_INIT] > 1


def test_every_kind_has_words() -> None:
    traces = [traced(p) for p in RUNNABLE]
    kinds = {e["kind"] for t in traces for e in t["timeline"]}
    for t in traces:
        for e in t["timeline"]:
            text = pm.describe(e)
            fallback = f"{e['kind']} {' '.join(pm.entry_inputs(e))}".strip()
            assert text and text != fallback, e
    assert {"arrive", "invoke_start", "invoke_end", "retry_scheduled", "bisect", "deliver"} <= kinds


def test_histogram_counts_every_run() -> None:
    trace = trace_of(HERE / "snapshots" / "scenarios" / "sqs.yaml")
    model = pm.PlaybackModel(trace)
    for width in (1, 10, 73):
        hist = model.histogram(width)
        assert len(hist) == width
        assert sum(a for a, _ in hist) == trace["summary"]["invocations"]


def test_short_target() -> None:
    assert pm.short_target("arn:aws:sqs:us-east-1:123456789012:q-fail") == "sqs:q-fail"
    assert pm.short_target("arn:aws:events:us-east-1:123456789012:event-bus/default") == "events:default"
    assert pm.short_target("client") == "client"


def test_a_rule_targets_dlq_is_a_sink_and_its_events_end_dead_lettered() -> None:
    trace = trace_of(HERE / "cases" / "ours" / "eventbridge-no-permission-target-dlq.yaml")
    model = pm.PlaybackModel(trace)
    arn = "arn:aws:sqs:us-east-1:123456789012:rule-dlq"
    assert (arn, "target_dlq") in model.sink_targets
    assert model.final_word("ev1") == model.final_word("ev2") == "dead_lettered"
    model.seek(len(model))
    assert model.view().sinks[arn][1] == 2
