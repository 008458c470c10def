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

    def _arrive_all(self, items: list[dict]) -> None:
        arrive = self.arrive
        for item in items:
            arrive(item)

    def arrive(self, item: dict) -> None:
        raise NotImplementedError

    def http_order(self) -> list[str]:
        return []
