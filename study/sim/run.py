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


def simulate(scenario: Scenario, handler_factory=None) -> dict:
    """The trace of one scenario (plain data, deterministic for a `behavior` scenario and its seed).

    `handler_factory(scenario, engine)` replaces the in-process runner of a `function.handler` (study.challenges
    passes one that runs learner code in child processes)."""
    engine = Engine(scenario, handler_factory)
    return engine.run(source_for(engine))


def simulate_file(path: str | Path, misconceptions=frozenset()) -> dict:
    return simulate(load_scenario(path, misconceptions))
