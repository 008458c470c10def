"""Playback of a trace's timeline without the UI: the view state at any position, by a pure reducer.

- `states`: the states an input and an environment pass through, trigger families, `Lane`, `View`;
- `entries`: one timeline entry's inputs, its target's short name, its event-log line (`describe`);
- `reducer`: `PlaybackModel`, the view state after k entries, with checkpoints for stepping back;
- `player`: `Player`, wall-clock playback at a choice of `SPEEDS`;
- `streaming`: `run_for_playback`, a run whose records, past 20,000 runs, are reduced as the emulator goes;
- `aggregate`: `AggregateModel`, the playback of such a run: counts per time slice, a sample of steps and runs.
"""

from study.playback.entries import describe, entry_inputs, short_target
from study.playback.player import SPEEDS, Player
from study.playback.reducer import PlaybackModel
from study.playback.states import (
    ASYNC_LIKE,
    COALESCED,
    DEAD,
    DROPPED,
    ENDED,
    ENV_BUSY,
    ENV_GONE,
    ENV_IDLE,
    ENV_INIT,
    ENV_NAMES,
    FAILED,
    FILTERED,
    FINAL_WORDS,
    IN_FLIGHT,
    N_STATES,
    RETRY,
    SINK_IDS,
    STATE_NAMES,
    STREAMS,
    SUCCEEDED,
    THROTTLED,
    UNSEEN,
    WAITING,
    Lane,
    View,
)

__all__ = [
    "ASYNC_LIKE", "COALESCED", "DEAD", "DROPPED", "ENDED", "ENV_BUSY", "ENV_GONE", "ENV_IDLE", "ENV_INIT",
    "ENV_NAMES", "FAILED", "FILTERED", "FINAL_WORDS", "IN_FLIGHT", "N_STATES", "RETRY", "SINK_IDS", "SPEEDS",
    "STATE_NAMES", "STREAMS", "SUCCEEDED", "THROTTLED", "UNSEEN", "WAITING",
    "Lane", "PlaybackModel", "Player", "View", "describe", "entry_inputs", "short_target",
]
