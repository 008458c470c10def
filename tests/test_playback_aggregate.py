"""A run too big to keep whole is reduced while it runs (study.playback.streaming) into an aggregated playback
(study.playback.aggregate): a small run keeps its usual trace byte for byte; an aggregated one shows, at every
slice's end, the same counts as the full trace's playback at that time; the engine is drained as it goes."""

from __future__ import annotations

import bisect

import pytest

from study import paths
from study.lab import Outcome, compare
from study.playback import PlaybackModel, streaming
from study.playback.aggregate import MAX_SLICES, AggregateModel
from study.sim.engine import dumps
from study.sim.run import simulate
from study.sim.scenario.load import load_scenario, scenario_from_dict

LABS = paths.labs_dir()
SAMPLE = ["18.06-async-event-age", "18.08-schedule-cron", "18.12-kinesis-poison-no-bisect",
          "18.12-kinesis-parallelization", "18.13-sqs-scaling", "18.03-sync-throttle-429"]
SAMPLE = [n for n in SAMPLE if (LABS / f"{n}.yaml").exists()]
FIFO = {"title": "fifo groups", "function": {"behavior": {"duration": 1, "fail_records": {"m3": 1}}},
        "trigger": {"type": "sqs", "BatchSize": 2, "Queue": {"QueueName": "q.fifo", "FifoQueue": True, "VisibilityTimeout": 5,
                                                              "RedrivePolicy": {"maxReceiveCount": 3,
                                                                                "deadLetterTargetArn": "sqs:dlq.fifo"}}},
        "inputs": [{"at": i * 0.5, "id": f"m{i}", "group": f"g{i % 3}"} for i in range(12)]}


def counts(view) -> tuple:
    """What an aggregated view shows, from either model's view (records per state, not per input)."""
    per_state = [sum(x) for x in zip(*view.lane_counts)][1:]  # unseen inputs are not drawn
    waiting = view.waiting_retries if view.aggregated else len(view.retries)
    return (per_state, list(view.env_counts), view.invocations, view.errors, view.throttles, view.cold_starts,
            view.deliveries, view.pollers, view.running, {t: s[1] for t, s in view.sinks.items()}, waiting)


def same_as_full(scenario_of, monkeypatch) -> AggregateModel:
    full = simulate(scenario_of())
    trace, model = streaming.run_for_playback(scenario_of())
    assert model is not None and trace["summary"] == full["summary"]
    playback = PlaybackModel(full)
    times = [float(e["t"]) for e in full["timeline"]]
    for k in range(len(model) + 1):
        model.seek(k)
        playback.seek(len(times) if k == len(model) else bisect.bisect_left(times, k * model.slice_s))
        assert counts(model.view()) == counts(playback.view()), k
    finals: dict[str, int] = {}
    for st in full["inputs"].values():
        finals[st["final"]] = finals.get(st["final"], 0) + 1
    assert trace["aggregated"]["finals"] == finals
    return model


@pytest.mark.parametrize("name", SAMPLE)
def test_a_small_run_keeps_its_trace_byte_for_byte(name) -> None:
    trace, model = streaming.run_for_playback(load_scenario(LABS / f"{name}.yaml"))
    assert model is None
    assert dumps(trace) == dumps(simulate(load_scenario(LABS / f"{name}.yaml")))


@pytest.mark.parametrize("name", SAMPLE)
def test_aggregated_from_the_start_shows_what_the_full_playback_shows(name, monkeypatch) -> None:
    monkeypatch.setattr(streaming, "FULL_INPUTS", -1)
    same_as_full(lambda: load_scenario(LABS / f"{name}.yaml"), monkeypatch)


def test_aggregated_fifo_groups_and_redrive(monkeypatch) -> None:
    monkeypatch.setattr(streaming, "FULL_INPUTS", -1)
    model = same_as_full(lambda: scenario_from_dict(FIFO), monkeypatch)
    assert [lane.label for lane in model.lanes] == ["group g0", "group g1", "group g2"]


@pytest.mark.parametrize("name", SAMPLE)
def test_aggregated_from_the_middle_of_a_run(name, monkeypatch) -> None:
    """The sink starts draining once the run passes FULL_RUNS, with what the engine kept until then."""
    monkeypatch.setattr(streaming, "FULL_RUNS", 2)
    monkeypatch.setattr(streaming, "EVERY", 5)
    full = simulate(load_scenario(LABS / f"{name}.yaml"))
    trace, model = streaming.run_for_playback(load_scenario(LABS / f"{name}.yaml"))
    if model is None:  # never past two runs
        assert dumps(trace) == dumps(full)
        return
    same_as_full(lambda: load_scenario(LABS / f"{name}.yaml"), monkeypatch)


def test_a_big_run_is_drained_as_it_goes_and_stays_bounded(monkeypatch) -> None:
    data = {"title": "backlog", "function": {"behavior": {"duration": 0.1}},
            "trigger": {"type": "sqs", "BatchSize": 10}, "inputs": [{"at": 0, "count": 30_000, "prefix": "m"}]}
    seen = []
    flush = streaming.PlaybackSink.flush

    def watched(self, e) -> None:
        flush(self, e)
        seen.append((len(e.timeline), len(e.invocations), len(e.logs)))

    monkeypatch.setattr(streaming.PlaybackSink, "flush", watched)
    trace, model = streaming.run_for_playback(scenario_from_dict(data))
    assert isinstance(model, AggregateModel) and trace["aggregated"]["inputs"] == 30_000
    assert trace["summary"]["invocations"] == 3000 and trace["aggregated"]["finals"] == {"succeeded": 30_000}
    assert max(t for t, _, _ in seen[1:]) < 5000 and max(i for _, i, _ in seen) < 200 and max(g for *_, g in seen) == 0
    assert len(model) <= MAX_SLICES and len(model.entries) <= streaming.SAMPLE_MAX + 2 * len(streaming.RARE) + 100
    assert len(trace["inputs"]) == streaming.INPUTS_KEPT and len(model.runs) <= len(model.entries)
    model.seek(len(model))
    assert model.view().lane_counts[0][4] == 30_000  # every message succeeded
    series = model.series(100)
    assert max(series["running"]) == trace["summary"]["max_concurrency"]
    assert series["backlog"][0] > 25_000 and series["backlog"][-1] == 0
    # The event log's sample names runs whose records are kept for `j`.
    model.seek(len(model) // 2)
    run = model.current_run()
    assert run is not None and run["n"] in model.runs


def test_compare_counts_an_aggregated_outcome(monkeypatch) -> None:
    monkeypatch.setattr(streaming, "FULL_INPUTS", -1)
    path = LABS / "18.12-kinesis-poison-no-bisect.yaml"
    full = Outcome(simulate(load_scenario(path)))
    trace, model = streaming.run_for_playback(load_scenario(path))
    rows = {r.label: (r.before, r.after) for r in compare(full, Outcome(trace, playback=model), [])}
    assert all(before == after for before, after in rows.values()), rows
    assert any(label.startswith("sent to") for label in rows)


def test_an_endless_stream_retry_keeps_only_the_live_runs(monkeypatch) -> None:
    """MaximumRetryAttempts -1 on a poison record: zero-length runs retried at one instant, each retried batch
    keeping the run it repeats; the sink lets finished runs go all the same."""
    import gc

    from study import lab as lm
    from study.sim.engine import Invocation
    from study.sim.scenario.load import build_scenario

    lab = lm.load_lab(LABS / "18.12-kinesis-poison-no-bisect.yaml")
    data, _ = lm.apply_setting(lab, lm.setting_for("MaximumRetryAttempts", "kinesis"), -1)
    data["max_invocations"] = streaming.FULL_RUNS + 4000
    alive = []
    flush = streaming.PlaybackSink.flush

    def watched(self, e) -> None:
        flush(self, e)
        if self.active and e.n_started > streaming.FULL_RUNS + 3000 and not alive:
            alive.append(sum(1 for o in gc.get_objects() if type(o) is Invocation))

    monkeypatch.setattr(streaming.PlaybackSink, "flush", watched)
    trace, model = streaming.run_for_playback(build_scenario(data, lab.marks, lab.file, lab.base_dir))
    assert model is not None and trace["summary"]["stopped_by"] == "max_invocations"
    assert trace["summary"]["invocations"] == streaming.FULL_RUNS + 4000
    assert alive and alive[0] < 100, alive
