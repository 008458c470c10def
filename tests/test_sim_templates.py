"""Text and ids the emulator builds directly instead of through a general library are the same as the library's:
version-4 UUIDs (study.sim.ids) and an input's final state in the streamed trace (study.sim.spool)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from study.sim.records import InputState
from study.sim.spool import _input_state, encode


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**31), parts=st.lists(st.one_of(st.text(max_size=12), st.integers(), st.floats(
    allow_nan=False)), max_size=4))
def test_ids_are_the_uuid_modules_own(seed, parts) -> None:
    """Ids formats its version-4 UUIDs directly; they are the uuid module's, from the same SHA-256 text."""
    import hashlib
    import uuid

    from study.sim.engine import Ids

    digest = hashlib.sha256("|".join(str(p) for p in (seed, *parts)).encode()).digest()
    ids = Ids(seed)
    assert ids.digest(*parts) == digest
    assert ids.uuid(*parts) == str(uuid.UUID(bytes=digest[:16], version=4))
    assert ids.hex(32, *parts) == digest.hex()[:32]
    if len(parts) > 1:  # a prepared hash of `seed|kind|`, copied and fed the rest (study.sim.text_events)
        h = ids.hasher(str(parts[0])).copy()
        h.update("|".join(str(p) for p in parts[1:]).encode())
        assert h.digest() == digest


@settings(max_examples=300, deadline=None)
@given(final=st.sampled_from(["pending", "succeeded", "failed", "dead_lettered"]),
       at=st.one_of(st.none(), st.integers(0, 10**12)), attempts=st.integers(0, 10**6),
       targets=st.one_of(st.none(), st.lists(st.text(), max_size=3)),
       receive_count=st.one_of(st.none(), st.integers(0, 10**6)))
def test_input_state_template_is_the_encoders_text(final, at, attempts, targets, receive_count) -> None:
    state = InputState()
    state.final, state.at, state.attempts, state.targets, state.receive_count = final, at, attempts, targets, \
        receive_count
    cache: dict = {}
    want = encode(state.to_json(), "\n    ")
    assert _input_state(state, cache) == want
    assert _input_state(state, cache) == want  # the kept text
