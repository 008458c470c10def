"""A validated scenario, as the engine and every source read it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from study.sim.scenario.input_sequence import Inputs


@dataclass
class Behavior:
    duration_ms: int = 0
    duration_per_record_ms: int = 0
    fail: str = "never"
    fail_attempts: frozenset[int] = frozenset()
    fail_records: dict[str, int | None] = field(default_factory=dict)  # None = always
    report_failures: dict[str, int | None] = field(default_factory=dict)
    returns: Any = None
    has_returns: bool = False


@dataclass
class Scenario:
    """A validated scenario: `function` and `trigger` keep AWS spelling with defaults filled in (as traced)."""

    file: str
    title: str
    section: str | None
    profile: str
    seed: int
    start_time: dt.datetime
    until_ms: int | None
    account_concurrency: int
    strict_permissions: bool
    max_invocations: int
    function: dict[str, Any]
    trigger: dict[str, Any]
    # The inputs in send order, read as dicts; a `count` input is kept as one compact run
    # (study.sim.scenario.input_sequence).
    inputs: Inputs
    behavior: Behavior
    handler: str | None
    base_dir: Path
    misconceptions: frozenset[str] = frozenset()
    lab: dict[str, Any] | None = None
    expect: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.inputs, Inputs):  # a list of checked input dicts, already in send order
            self.inputs = Inputs([list(self.inputs)])

    @property
    def type(self) -> str:
        return self.trigger["type"]
