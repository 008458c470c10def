"""Running the emulator for questions: a cache of traces by canonical scenario JSON and misconceptions, fresh
runs for the pricing engine, and dotted-path scenario changes (a distractor's `set:`)."""

from __future__ import annotations

import copy
import json
from typing import Any

from study.quiz.template_model import Family
from study.quiz.template_params import Drawn, fill, params_json
from study.sim.errors import ScenarioError

MAX_RUNS = 200  # max_invocations of a generated scenario


class TraceCache:
    """Traces by (canonical scenario JSON, misconceptions); `enabled=False` runs every request afresh."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.store: dict[tuple, Any] = {}
        self.scenarios: dict[tuple, dict] = {}
        self.runs = 0
        self.hits = 0

    def scenario(self, family: Family, params: dict[str, Drawn]) -> dict:
        """The family's scenario for a parameter set, filled once and shared by the family's questions."""
        key = (family.id, json.dumps(params_json(params), sort_keys=True))
        found = self.scenarios.get(key)
        if found is None:
            found = fill(family.scenario, params)
            found.setdefault("title", family.id)
            found.setdefault("section", family.section)
            # A bound for scenarios (and misconception runs) that would otherwise retry for a simulated week.
            found.setdefault("max_invocations", MAX_RUNS)
            self.scenarios[key] = found
        return found

    def run(self, engine: str, scenario: dict, misconceptions: frozenset[str] = frozenset()) -> dict:
        key = (json.dumps(scenario, sort_keys=True, separators=(",", ":"), default=str), tuple(sorted(misconceptions)))
        if self.enabled and key in self.store:
            self.hits += 1
            found = self.store[key]
            if isinstance(found, ScenarioError):
                raise found
            return found
        self.runs += 1
        try:
            result = run_scenario(engine, scenario, misconceptions)
        except ScenarioError as err:
            if self.enabled:
                self.store[key] = err
            raise
        if self.enabled:
            self.store[key] = result
        return result


def run_scenario(engine: str, scenario: dict, misconceptions: frozenset[str] = frozenset()) -> dict:
    """A fresh trace (or a month's bill for the pricing engine): no cache."""
    if engine == "pricing":
        from study.sim.pricing import monthly_cost

        p = scenario["pricing"]
        return monthly_cost(p["memory_mb"], p["duration_ms"], p["requests"], frozenset(misconceptions)).to_json()
    from study.sim.run import simulate
    from study.sim.scenario.load import scenario_from_dict

    return simulate(scenario_from_dict(scenario, misconceptions=frozenset(misconceptions)))


def apply_set(scenario: dict, changes: dict[str, Any]) -> dict:
    """The scenario with dotted-path changes (`trigger.StartingPosition`, `inputs[0].headers`); null deletes.
    Written by the one scenario-path writer the lab what-ifs and playlists use (study/lab/scenario_paths.py)."""
    from study.lab.scenario_paths import set_in

    out = copy.deepcopy(scenario)
    for path, value in changes.items():
        set_in(out, path, value)
    return out

