"""What the engine keeps per execution environment, per run and per input while a scenario plays, and how a run
and an input's state read in the trace (docs/scenario-format.md)."""

from __future__ import annotations

from study.sim.scenario.defaults import MS


def seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / MS


class Env:
    """One execution environment: its log stream, whether it is busy, and a real handler's module."""

    __slots__ = ("number", "stream", "busy", "idle_since", "needs_init", "module", "freed_seq", "created_ms")

    def __init__(self, number: int, stream: str, created_ms: int):
        self.number = number
        self.stream = stream
        self.busy = False
        self.idle_since = 0
        self.needs_init = True
        self.module = None
        self.freed_seq = 0
        self.created_ms = created_ms


class Invocation:
    __slots__ = ("n", "request_id", "start", "end", "inputs", "shard", "attempt", "instance", "cold_start",
                 "status", "error", "response", "event", "billed_ms", "env", "init_ms", "on_end", "extra",
                 "duration_ms", "printed", "reset", "init_billed_ms")

    def to_json(self, cutoff_ms: int | None) -> dict:
        running = cutoff_ms is not None and self.end > cutoff_ms
        out = {
            "n": self.n, "request_id": self.request_id, "start": seconds(self.start),
            "end": None if running else seconds(self.end),
            "inputs": list(self.inputs),
        }
        if self.shard is not None:
            out["shard"] = self.shard
        out.update({
            "attempt": self.attempt, "instance": self.instance, "cold_start": self.cold_start,
            "status": "running" if running else self.status,
            "error": None if running else self.error,
            "response": None if running else self.response,
            # A run the clock stopped is billed for what it ran so far (INIT included where it is billed).
            "event": self.event,
            "billed_ms": self.billed_ms if not running else max(1, cutoff_ms - self.start + self.init_billed_ms),
        })
        if self.extra:
            out.update(self.extra)
        return out


class InputState:
    __slots__ = ("final", "at", "attempts", "targets", "receive_count")

    def __init__(self) -> None:
        self.final = "pending"
        self.at: int | None = None
        self.attempts = 0
        self.targets: list[str] | None = None  # made on the first delivery (most inputs have none)
        self.receive_count: int | None = None

    def to_json(self) -> dict:
        return {"final": self.final, "at": seconds(self.at) if self.final != "pending" else None,
                "attempts": self.attempts, "targets": list(self.targets or ()), "receive_count": self.receive_count}
