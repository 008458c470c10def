"""Generated ids (request ids, message ids, receipt handles, log streams): each a SHA-256 of the seed and of what it
names, so the same scenario gives the same ids and a what-if keeps the unrelated ones (docs/emulator.md §1)."""

from __future__ import annotations

from hashlib import sha256 as _sha256
from typing import Any

# The high nibble of a UUID's byte 8 with the variant bits set to 10, by the nibble's hex digit.
UUID_VARIANT_DIGIT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def uuid_text(digest: bytes) -> str:
    """`str(uuid.UUID(bytes=digest[:16], version=4))`, formatted directly (the uuid module's constructor is slow):
    the version nibble set to 4 and the variant bits to 10."""
    h = digest[:16].hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{UUID_VARIANT_DIGIT[h[16]]}{h[17:20]}-{h[20:]}"


class Ids:
    """Every generated id derives from the seed and what it names, so a what-if keeps unrelated ids."""

    __slots__ = ("seed", "_prefix", "_kinds")

    def __init__(self, seed: int):
        self.seed = seed
        self._prefix = f"{seed}|"
        self._kinds: dict[str, Any] = {}

    def digest(self, *parts: Any) -> bytes:
        text = self._prefix + "|".join(map(str, parts)) if parts else str(self.seed)
        return _sha256(text.encode()).digest()

    def uuid(self, *parts: Any) -> str:
        return uuid_text(self.digest(*parts))

    def hex(self, n: int, *parts: Any) -> str:
        return self.digest(*parts).hex()[:n]

    def hasher(self, kind: str):
        """A SHA-256 already fed `seed|kind|`: `hasher(kind).copy()`, updated with the rest of the text, gives
        `digest(kind, ...)` without formatting the common part again (the hot ids of a large trace)."""
        h = self._kinds.get(kind)
        if h is None:
            h = self._kinds[kind] = _sha256(f"{self._prefix}{kind}|".encode())
        return h
