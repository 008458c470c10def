"""Generated ids (request ids, message ids, receipt handles, log streams): each a SHA-256 of the seed and of what it
names, so the same scenario gives the same ids and a what-if keeps the unrelated ones (docs/emulator.md §1)."""

from __future__ import annotations

from hashlib import sha256 as _sha256
from typing import Any


class Ids:
    """Every generated id derives from the seed and what it names, so a what-if keeps unrelated ids."""

    __slots__ = ("seed", "_prefix")

    def __init__(self, seed: int):
        self.seed = seed
        self._prefix = f"{seed}|"

    def digest(self, *parts: Any) -> bytes:
        text = self._prefix + "|".join(map(str, parts)) if parts else str(self.seed)
        return _sha256(text.encode()).digest()

    def uuid(self, *parts: Any) -> str:
        """`str(uuid.UUID(bytes=digest[:16], version=4))`, formatted directly (the uuid module's constructor is
        slow): the version nibble set to 4 and the variant bits to 10."""
        b = bytearray(self.digest(*parts)[:16])
        b[6] = b[6] & 0x0F | 0x40
        b[8] = b[8] & 0x3F | 0x80
        h = b.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def hex(self, n: int, *parts: Any) -> str:
        return self.digest(*parts).hex()[:n]
