"""What every app instance must agree on about sessions, kept in the shared Cache.

* ``denylist:jti:<jti>``: an access token logged out before its expiry (TTL = its rest of life);
* ``denylist:sid:<session id>``: every access token of a refresh family that was revoked
  (logout, a replayed refresh token), for as long as such a token can live;
* ``tokens-valid-after:<user_id>``: the user's :class:`TokenCutoff` (active flag, cut-off
  instant, kept session), written after every change that commits, read by Authenticate so
  its hot path needs no database query.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import UUID

from application.shared.cache import Cache
from domain.identity.user import TokenCutoff

DENYLIST_PREFIX = "denylist:jti:"
SESSION_DENYLIST_PREFIX = "denylist:sid:"
_DECODED_MAX = 10_000
CUTOFF_PREFIX = "tokens-valid-after:"


def _encode(cutoff: TokenCutoff) -> bytes:
    after = None if cutoff.after is None else round(cutoff.after.timestamp() * 1_000_000)
    keep = None if cutoff.kept_session_id is None else str(cutoff.kept_session_id)
    return json.dumps({"active": cutoff.active, "after_us": after, "keep": keep}).encode()


def _decode(raw: bytes) -> TokenCutoff | None:
    try:
        data = json.loads(raw)
        after_us, keep = data["after_us"], data["keep"]
        return TokenCutoff(
            active=bool(data["active"]),
            after=None if after_us is None else datetime.fromtimestamp(after_us / 1e6, UTC),
            kept_session_id=None if keep is None else UUID(keep),
        )
    except (ValueError, KeyError, TypeError):
        return None  # unreadable: treated as a miss, the database decides


class SessionState:
    def __init__(self, cache: Cache, *, ttl_seconds: int = 3_600) -> None:
        self._cache = cache
        self._ttl = ttl_seconds
        self._decoded: dict[bytes, TokenCutoff] = {}

    async def deny(self, jti: str, *, remaining_seconds: float) -> None:
        if remaining_seconds > 0:
            await self._cache.set(DENYLIST_PREFIX + jti, b"1", ttl_seconds=remaining_seconds)

    async def deny_session(self, session_id: UUID, *, ttl_seconds: float) -> None:
        """Refuse every access token of ``session_id`` (a revoked refresh family)."""
        await self._cache.set(
            SESSION_DENYLIST_PREFIX + str(session_id), b"1", ttl_seconds=ttl_seconds
        )

    async def is_denied(self, jti: str) -> bool:
        return await self._cache.get(DENYLIST_PREFIX + jti) is not None

    async def cutoff(self, user_id: UUID) -> TokenCutoff | None:
        key = CUTOFF_PREFIX + str(user_id)
        return await self._read_cutoff(key, await self._cache.get(key))

    async def lookup(
        self, jti: str, user_id: UUID, session_id: UUID | None = None
    ) -> tuple[bool, TokenCutoff | None]:
        """``(denied, cutoff(user_id))`` in one cache round trip (the hot path): denied when
        the token's ``jti`` or its whole session is on a denylist."""
        key = CUTOFF_PREFIX + str(user_id)
        keys = [DENYLIST_PREFIX + jti, key]
        if session_id is not None:
            keys.append(SESSION_DENYLIST_PREFIX + str(session_id))
        values = await self._cache.get_many(keys)
        raw = values[1]
        if values[0] is not None or (session_id is not None and values[2] is not None):
            return True, None
        return False, await self._read_cutoff(key, raw)

    async def _read_cutoff(self, key: str, raw: bytes | None) -> TokenCutoff | None:
        if raw is None:
            return None
        cutoff = self._decoded.get(raw)  # TokenCutoff is immutable: same bytes, same value
        if cutoff is not None:
            return cutoff
        cutoff = _decode(raw)
        if cutoff is not None:
            if len(self._decoded) >= _DECODED_MAX:
                self._decoded.clear()
            self._decoded[raw] = cutoff
        if cutoff is None:
            await self._cache.delete(key)  # let the next fill replace it
        return cutoff

    async def fill(self, user_id: UUID, cutoff: TokenCutoff) -> None:
        """Cache what the database said, unless a newer change already wrote its state."""
        await self._cache.set_if_absent(
            CUTOFF_PREFIX + str(user_id), _encode(cutoff), ttl_seconds=self._ttl
        )

    async def publish(self, user_id: UUID, cutoff: TokenCutoff) -> None:
        """Announce a committed change (password, role, activation) to every instance."""
        await self._cache.set(CUTOFF_PREFIX + str(user_id), _encode(cutoff), ttl_seconds=self._ttl)
