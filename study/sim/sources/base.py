"""What every event source shares: the `Source` base class the engine drives."""

from __future__ import annotations

from study.sim.engine import P_ARRIVE, Engine

# Settings of event source mappings that a push trigger does not have.
MAPPING_ONLY_HINTS = {key: f"{key}: only event source mappings (sqs, kinesis, dynamodb) have this setting"
                      for key in ("BatchSize", "StartingPosition", "BisectBatchOnFunctionError")}


class Source:
    """What every trigger offers the engine."""

    def __init__(self, engine: Engine):
        self.e = engine
        self.s = engine.s
        self.t = engine.s.trigger

    def start(self) -> None:
        for item in self.s.inputs:
            self.e.at(item["at_ms"], P_ARRIVE, self.arrive, item)

    def arrive_grouped(self) -> None:
        """`start()` for a source whose arrival schedules nothing at its own instant ahead of the next arrival
        (SQS, streams): one event for the inputs sent at the same instant, which arrive in input order either way."""
        group: list[dict] = []
        for item in self.s.inputs:
            if group and item["at_ms"] != group[0]["at_ms"]:
                self.e.at(group[0]["at_ms"], P_ARRIVE, self._arrive_all, group)
                group = []
            group.append(item)
        if group:
            self.e.at(group[0]["at_ms"], P_ARRIVE, self._arrive_all, group)

    def _arrive_all(self, items: list[dict]) -> None:
        arrive = self.arrive
        for item in items:
            arrive(item)

    def arrive(self, item: dict) -> None:
        raise NotImplementedError

    def http_order(self) -> list[str]:
        return []
