"""Run a scenario to its trace: the one function every face (CLI, TUI, questions, tests) calls."""

from __future__ import annotations

import gc
from pathlib import Path

from study.sim.engine import Engine
from study.sim.scenario.load import load_scenario
from study.sim.scenario.model import Scenario
from study.sim.sources.alb import AlbSource
from study.sim.sources.async_ import AsyncSource
from study.sim.sources.eventbridge import EventBridgeSource
from study.sim.sources.s3 import S3Source
from study.sim.sources.schedule import ScheduleSource
from study.sim.sources.sns import SnsSource
from study.sim.sources.sync import SyncSource
from study.sim.sqs import SqsSource
from study.sim.streams import StreamSource

SOURCES = {
    "sync": SyncSource, "alb": AlbSource, "async": AsyncSource, "s3": S3Source, "sns": SnsSource,
    "eventbridge": EventBridgeSource, "schedule": ScheduleSource, "sqs": SqsSource, "kinesis": StreamSource,
    "dynamodb": StreamSource,
}


def source_for(engine: Engine):
    """The event source of the scenario's trigger type (study/sim/sources/, sqs.py, streams.py)."""
    return SOURCES[engine.s.type](engine)


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


def text_source(engine: Engine):
    """The source for a streamed trace: events as JSON text where no real handler reads them (study.sim.text_events),
    and a backlog whose messages cannot differ as ranges of inputs (study.sim.bulk_trace)."""
    from study.sim.bulk_trace import BulkTraceSqsSource, bulk_trace_ok
    from study.sim.text_events import TextSqsSource, TextStreamSource

    kind = engine.s.type
    if engine.handler is not None:
        return source_for(engine)
    if bulk_trace_ok(engine.s):
        return BulkTraceSqsSource(engine)
    if kind == "sqs":
        return TextSqsSource(engine)
    if kind in ("kinesis", "dynamodb"):
        return TextStreamSource(engine)
    return source_for(engine)


def simulate_to(scenario: Scenario, fp, every: int = 1000) -> None:
    """Write the trace's JSON text (the same as `dumps(simulate(scenario))`) to `fp` as the run goes: finished
    records are spooled to temporary files every `every` events instead of being kept."""
    from study.sim.group_trace import group_trace_ok, write_trace
    from study.sim.spool import TraceSpool

    # A backlog whose every run is known before it starts is written a poll round at a time (study.sim.group_trace);
    # where that writer gives up it has written nothing, and the engine writes the trace.
    if group_trace_ok(scenario) and write_trace(scenario, fp):
        return
    engine = Engine(scenario)
    source = text_source(engine)
    spool = TraceSpool(every)
    # The scenario's inputs and a state per input live to the end: leave them out of the garbage collector's full
    # collections, which would otherwise walk them again and again (a fifth of a million-message run's time).
    frozen = not gc.get_freeze_count()
    if frozen:
        gc.freeze()
    try:
        engine.run(source, spool)
        spool.finish(engine, source, fp)
    finally:
        if frozen:
            gc.unfreeze()
