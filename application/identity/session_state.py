"""What every app instance must agree on about sessions, as kept in the shared Cache.

The database holds the durable record (revocations, the users' cut-offs); the cache holds a
copy that the hot path reads in one round trip:

* ``denylist:jti:<jti>``: an access token logged out before its expiry (TTL = its rest of life);
* ``denylist:sid:<session id>``: every access token of a refresh family that was revoked
  (logout, a replayed refresh token), for as long as such a token can live;
* ``revocations:ready``: set (without expiry) once the two denylists hold every live
  revocation of the database. A cache that restarted empty, was flushed or evicted it has
  lost the denylists too: until it is rebuilt (see ``revocations.RevocationCache``), each
  request asks the database instead;
* ``tokens-valid-after:<user_id>``: the user's :class:`TokenCutoff` (active flag, cut-off
  instant, kept session), read by Authenticate so its hot path needs no database query. A
  miss asks the database. While a change of the cut-off is being committed the key holds
  ``pending`` (written before the commit), so no instance caches the old cut-off meanwhile.

Revocations are written to the cache before the transaction that records them commits: if
the cache cannot be written, nothing is committed (503) and the cache never lacks a
committed revocation; if the commit then fails, the cache refuses a token that is still
good, which only costs a new login.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from application.shared.cache import Cache
from domain.identity.revocations import Revocation, RevocationKind
from domain.identity.user import TokenCutoff

DENYLIST_PREFIX = "denylist:jti:"
SESSION_DENYLIST_PREFIX = "denylist:sid:"
COMPLETE_KEY = "revocations:ready"
REBUILD_LEASE_KEY = "revocations:rebuilding"
_DECODED_MAX = 10_000
CUTOFF_PREFIX = "tokens-valid-after:"
PENDING = b"pending"
PENDING_SECONDS = 60.0
"""How long a ``pending`` cut-off may stand (a commit takes far less); then it expires."""

_PREFIXES = {RevocationKind.TOKEN: DENYLIST_PREFIX, RevocationKind.SESSION: SESSION_DENYLIST_PREFIX}


def denylist_key(revocation: Revocation) -> str:
    return _PREFIXES[revocation.kind] + revocation.value


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

    # -- revocations -------------------------------------------------------------------------
    async def revoke(self, revocations: Sequence[Revocation], now: datetime) -> None:
        """Copy revocations into the denylists, in one round trip."""
        items: list[tuple[str, bytes, float | None]] = [
            (denylist_key(r), b"1", r.remaining_seconds(now)) for r in revocations if r.is_live(now)
        ]
        if items:
            await self._cache.set_many(items)

    async def deny(self, jti: str, *, remaining_seconds: float) -> None:
        if remaining_seconds > 0:
            await self._cache.set(DENYLIST_PREFIX + jti, b"1", ttl_seconds=remaining_seconds)

    async def is_denied(self, jti: str) -> bool:
        return await self._cache.get(DENYLIST_PREFIX + jti) is not None

    async def mark_complete(self) -> None:
        """The denylists now hold every live revocation (set by a rebuild)."""
        await self._cache.set(COMPLETE_KEY, b"1")

    async def take_rebuild_lease(self, ttl_seconds: float) -> bool:
        """One rebuilder at a time across instances."""
        return await self._cache.set_if_absent(REBUILD_LEASE_KEY, b"1", ttl_seconds=ttl_seconds)

    async def release_rebuild_lease(self) -> None:
        await self._cache.delete(REBUILD_LEASE_KEY)

    # -- the hot path ------------------------------------------------------------------------
    async def lookup(
        self, jti: str, user_id: UUID, session_id: UUID | None = None
    ) -> tuple[bool, TokenCutoff | None, bool]:
        """``(denied, cutoff(user_id), complete)`` in one cache round trip: denied when the
        token's ``jti`` or its whole session is on a denylist; ``complete`` False when the
        denylists may lack revocations (the cache lost them): then the database decides."""
        key = CUTOFF_PREFIX + str(user_id)
        keys = [DENYLIST_PREFIX + jti, key, COMPLETE_KEY]
        if session_id is not None:
            keys.append(SESSION_DENYLIST_PREFIX + str(session_id))
        values = await self._cache.get_many(keys)
        if values[0] is not None or (session_id is not None and values[3] is not None):
            return True, None, True
        return False, await self._read_cutoff(key, values[1]), values[2] is not None

    # -- cut-offs ----------------------------------------------------------------------------
    async def cutoff(self, user_id: UUID) -> TokenCutoff | None:
        key = CUTOFF_PREFIX + str(user_id)
        return await self._read_cutoff(key, await self._cache.get(key))

    async def _read_cutoff(self, key: str, raw: bytes | None) -> TokenCutoff | None:
        if raw is None or raw == PENDING:
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
        """Cache what the database said, unless a newer change already wrote its state (or
        is being committed: ``pending``)."""
        await self._cache.set_if_absent(
            CUTOFF_PREFIX + str(user_id), _encode(cutoff), ttl_seconds=self._ttl
        )

    async def hold(self, user_id: UUID) -> None:
        """Before committing a change of the user's cut-off: until it is published, every
        instance asks the database (which answers the old cut-off until the commit, the new
        one after) and none caches it."""
        await self._cache.set(CUTOFF_PREFIX + str(user_id), PENDING, ttl_seconds=PENDING_SECONDS)

    async def publish(self, user_id: UUID, cutoff: TokenCutoff) -> None:
        """Announce a committed change (password, role, activation) to every instance."""
        await self._cache.set(CUTOFF_PREFIX + str(user_id), _encode(cutoff), ttl_seconds=self._ttl)
