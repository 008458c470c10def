"""Run a scenario to its trace: the one function every face (CLI, TUI, questions, tests) calls."""

from __future__ import annotations

from pathlib import Path

from study.sim.config import Scenario, load_scenario
from study.sim.engine import Engine


def source_for(engine: Engine):
    from study.sim import push

    t = engine.s.type
    if t == "sync":
        return push.SyncSource(engine)
    if t == "alb":
        return push.AlbSource(engine)
    if t == "async":
        return push.AsyncSource(engine)
    if t == "s3":
        return push.S3Source(engine)
    if t == "sns":
        return push.SnsSource(engine)
    if t == "eventbridge":
        return push.EventBridgeSource(engine)
    if t == "schedule":
        return push.ScheduleSource(engine)
    if t == "sqs":
        from study.sim.sqs import SqsSource

        return SqsSource(engine)
    from study.sim.streams import StreamSource

    return StreamSource(engine)


def simulate(scenario: Scenario, progress=None, handler_factory=None) -> dict:
    """The trace of one scenario (plain data, deterministic for a `behavior` scenario and its seed).
    `progress`: see `Engine.run` (it may cancel the run). `handler_factory(scenario, engine)` replaces the
    in-process runner of a `function.handler` (study.challenges passes one that runs learner code in child
    processes)."""
    engine = Engine(scenario, handler_factory=handler_factory)
    return engine.run(source_for(engine), progress=progress)


def simulate_summary(scenario: Scenario) -> dict:
    """Only `{"summary": ..., "finals": {state: count}}`, as the full trace would give them, without keeping the
    timeline, logs or per-invocation records (and, for `behavior` handlers, without building payloads). A backlog
    whose messages cannot differ runs in bulk, as counts (study.sim.lean_bulk)."""
    from study.sim.lean_bulk import bulk_source

    bulk = bulk_source(scenario)
    if bulk is not None:
        engine = Engine(scenario, lean=True, track_inputs=False)
        return engine.run(bulk(engine))
    engine = Engine(scenario, lean=True)
    return engine.run(source_for(engine))


def simulate_file(path: str | Path, misconceptions=frozenset()) -> dict:
    return simulate(load_scenario(path, misconceptions))


def simulate_to(scenario: Scenario, fp, every: int = 1000) -> None:
    """Write the trace's JSON text (the same as `dumps(simulate(scenario))`) to `fp` as the run goes: finished
    records are spooled to temporary files every `every` events instead of being kept."""
    from study.sim.spool import TraceSpool

    engine = Engine(scenario)
    source = source_for(engine)
    spool = TraceSpool(every)
    engine.run(source, spool)
    spool.finish(engine, source, fp)
