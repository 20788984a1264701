"""Time-ordered identifiers (UUID version 7, RFC 9562)."""

from __future__ import annotations

import os
import threading
import time
from uuid import UUID

_lock = threading.Lock()
_last_ms = 0
_last_rand = 0


def new_id() -> UUID:
    """Return a new UUIDv7: 48-bit Unix milliseconds, then 74 random bits.

    Ids made in the same millisecond by this process stay strictly increasing
    (the random part is incremented), so they sort in creation order.
    """
    global _last_ms, _last_rand
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            rand = _last_rand + 1
            if rand >= 1 << 74:  # pragma: no cover - 2**74 ids in one millisecond
                ms += 1
                rand = int.from_bytes(os.urandom(10)) >> 6
        else:
            rand = int.from_bytes(os.urandom(10)) >> 6  # 74 bits
        _last_ms, _last_rand = ms, rand
    rand_a = rand >> 62  # 12 bits
    rand_b = rand & ((1 << 62) - 1)  # 62 bits
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return UUID(int=value)


def id_timestamp_ms(value: UUID) -> int:
    """The Unix time in milliseconds encoded in a UUIDv7."""
    return value.int >> 80
