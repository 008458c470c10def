"""What playback shows: the states an input and an execution environment pass through, the trigger families,
a lane of records, and the View the Watch draws at one position."""

from __future__ import annotations

from dataclasses import dataclass

# Input states, as small ints so a checkpoint is one list copy even for 10,000 inputs.
UNSEEN, WAITING, IN_FLIGHT, RETRY, SUCCEEDED, FAILED, DEAD, DROPPED, FILTERED, COALESCED, THROTTLED, ENDED = range(12)
STATE_NAMES = ("unseen", "waiting", "in flight", "retry wait", "succeeded", "failed", "dead-lettered", "dropped",
               "filtered", "coalesced", "throttled", "ended")
# The trace's `inputs[id].final` words for the states that are final.
FINAL_WORDS = {SUCCEEDED: "succeeded", FAILED: "failed", DEAD: "dead_lettered", DROPPED: "dropped",
               FILTERED: "filtered", COALESCED: "coalesced"}
N_STATES = len(STATE_NAMES)

# Execution environment states.
ENV_INIT, ENV_BUSY, ENV_IDLE, ENV_GONE = range(4)
ENV_NAMES = ("starting (cold)", "running", "idle (warm)", "expired")

SINK_IDS = 40  # input ids a sink keeps for the "ends up" line; beyond, it says how many more

ASYNC_LIKE = ("async", "s3", "schedule", "sns", "eventbridge")
STREAMS = ("kinesis", "dynamodb")


@dataclass(frozen=True)
class Lane:
    """One row of records: a shard, a FIFO message group, the queue, or the async event queue."""

    key: str
    label: str



@dataclass
class View:
    """What the Watch view draws at one position; read-only."""

    pos: int
    total: int
    t: float
    end: float
    lanes: list[Lane]
    lane_counts: list[list[int]]
    lane_members: list[list[int]]
    input_ids: list[str]
    states: list[int]
    envs: dict[int, tuple]
    env_counts: list[int]
    retries: dict[str, tuple]
    sinks: dict[str, tuple]
    invocations: int
    errors: int
    throttles: int
    cold_starts: int
    deliveries: int
    pollers: int
    running: int
    last_bisect: tuple | None
    current: dict | None
    # A run too big to keep (study.playback.aggregate): counts only, no per-input states (`states` is None).
    aggregated: bool = False
    waiting_retries: int = 0
