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
* ``user:<user_id>``: the user's :class:`UserRecord`: what ``GET /auth/me`` returns and the
  :class:`TokenCutoff` (active flag, cut-off instant, kept session), read by Authenticate in
  the same round trip as the denylists, so neither the per-request identity check nor
  ``GET /auth/me`` needs the database. A miss asks the database (and fills the key). Every
  change of a user (role, activation, profile, password, login time) writes ``pending`` to
  the key before its commit, so no instance caches the old record meanwhile, and the new
  record after it (``publish``); a change that cannot be published leaves ``pending`` until
  it expires, and every instance asks the database until then.

Revocations are written to the cache before the transaction that records them commits: if
the cache cannot be written, nothing is committed (503) and the cache never lacks a
committed revocation; if the commit then fails, the cache refuses a token that is still
good, which only costs a new login.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from application.identity.views import UserView
from application.shared.cache import Cache
from domain.identity.revocations import Revocation, RevocationKind
from domain.identity.user import TokenCutoff, User
from domain.shared.access import Role

DENYLIST_PREFIX = "denylist:jti:"
SESSION_DENYLIST_PREFIX = "denylist:sid:"
COMPLETE_KEY = "revocations:ready"
REBUILD_LEASE_KEY = "revocations:rebuilding"
_DECODED_MAX = 10_000
USER_PREFIX = "user:"
PENDING = b"pending"
PENDING_SECONDS = 60.0
"""How long a ``pending`` cut-off may stand (a commit takes far less); then it expires."""

_PREFIXES = {RevocationKind.TOKEN: DENYLIST_PREFIX, RevocationKind.SESSION: SESSION_DENYLIST_PREFIX}


def denylist_key(revocation: Revocation) -> str:
    return _PREFIXES[revocation.kind] + revocation.value


@dataclass(frozen=True, slots=True)
class UserRecord:
    """What the cache keeps of a user: the API's view and the token cut-off."""

    user: UserView
    cutoff: TokenCutoff

    @classmethod
    def of(cls, user: User) -> UserRecord:
        return cls(UserView.of(user), user.cutoff)


def _us(instant: datetime | None) -> int | None:
    return None if instant is None else round(instant.timestamp() * 1_000_000)


def _instant(us: int | None) -> datetime | None:
    return None if us is None else datetime.fromtimestamp(us / 1e6, UTC)


def _encode(record: UserRecord) -> bytes:
    user, cutoff = record.user, record.cutoff
    keep = None if cutoff.kept_session_id is None else str(cutoff.kept_session_id)
    return json.dumps(
        {
            "id": str(user.id),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "role": user.role.value,
            "is_active": user.is_active,
            "created_us": _us(user.created_at),
            "updated_us": _us(user.updated_at),
            "last_login_us": _us(user.last_login_at),
            "version": user.version,
            "active": cutoff.active,
            "after_us": _us(cutoff.after),
            "keep": keep,
        },
        separators=(",", ":"),
    ).encode()


def _decode(raw: bytes) -> UserRecord | None:
    try:
        data = json.loads(raw)
        keep = data["keep"]
        created, updated = _instant(data["created_us"]), _instant(data["updated_us"])
        if created is None or updated is None:
            return None
        view = UserView(
            id=UUID(data["id"]),
            email=str(data["email"]),
            first_name=str(data["first_name"]),
            last_name=str(data["last_name"]),
            role=Role(data["role"]),
            is_active=bool(data["is_active"]),
            created_at=created,
            updated_at=updated,
            last_login_at=_instant(data["last_login_us"]),
            version=int(data["version"]),
        )
        cutoff = TokenCutoff(
            active=bool(data["active"]),
            after=_instant(data["after_us"]),
            kept_session_id=None if keep is None else UUID(keep),
        )
        return UserRecord(view, cutoff)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # unreadable: treated as a miss, the database decides


_current: ContextVar[UserRecord | None] = ContextVar("atelier_user_record", default=None)
"""The record the authentication of the running request read (one request = one task)."""


class SessionState:
    def __init__(self, cache: Cache, *, ttl_seconds: int = 3_600) -> None:
        self._cache = cache
        self._ttl = ttl_seconds
        self._decoded: dict[bytes, UserRecord] = {}

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
    ) -> tuple[bool, UserRecord | None, bool]:
        """``(denied, record(user_id), complete)`` in one cache round trip: denied when the
        token's ``jti`` or its whole session is on a denylist; ``complete`` False when the
        denylists may lack revocations (the cache lost them): then the database decides."""
        key = USER_PREFIX + str(user_id)
        keys = [DENYLIST_PREFIX + jti, key, COMPLETE_KEY]
        if session_id is not None:
            keys.append(SESSION_DENYLIST_PREFIX + str(session_id))
        values = await self._cache.get_many(keys)
        if values[0] is not None or (session_id is not None and values[3] is not None):
            return True, None, True
        return False, await self._read_record(key, values[1]), values[2] is not None

    # -- user records ------------------------------------------------------------------------
    @staticmethod
    def remember(record: UserRecord | None) -> None:
        """Keep the record the running request's authentication read (``current``); each
        authentication starts by clearing it."""
        _current.set(record)

    @staticmethod
    def current(user_id: UUID) -> UserRecord | None:
        """The record this request's authentication read for ``user_id``, if any."""
        record = _current.get()
        return record if record is not None and record.user.id == user_id else None

    async def record(self, user_id: UUID) -> UserRecord | None:
        """The cached record (one cache round trip); None on a miss or while ``pending``."""
        key = USER_PREFIX + str(user_id)
        return await self._read_record(key, await self._cache.get(key))

    async def cutoff(self, user_id: UUID) -> TokenCutoff | None:
        record = await self.record(user_id)
        return None if record is None else record.cutoff

    async def _read_record(self, key: str, raw: bytes | None) -> UserRecord | None:
        if raw is None or raw == PENDING:
            return None
        record = self._decoded.get(raw)  # a record is immutable: same bytes, same value
        if record is not None:
            return record
        record = _decode(raw)
        if record is not None:
            if len(self._decoded) >= _DECODED_MAX:
                self._decoded.clear()
            self._decoded[raw] = record
        if record is None:
            await self._cache.delete(key)  # let the next fill replace it
        return record

    async def fill(self, record: UserRecord) -> None:
        """Cache what the database said, unless a newer change already wrote its state (or
        is being committed: ``pending``)."""
        await self._cache.set_if_absent(
            USER_PREFIX + str(record.user.id), _encode(record), ttl_seconds=self._ttl
        )

    async def hold(self, user_id: UUID) -> None:
        """Before committing any change of the user: until it is published, every instance
        asks the database (which answers the old user until the commit, the new one after)
        and none caches it."""
        if self.current(user_id) is not None:
            _current.set(None)  # this task changes the user: its remembered record is old
        await self._cache.set(USER_PREFIX + str(user_id), PENDING, ttl_seconds=PENDING_SECONDS)

    async def publish(self, record: UserRecord) -> None:
        """Announce a committed change of a user to every instance."""
        await self._cache.set(
            USER_PREFIX + str(record.user.id), _encode(record), ttl_seconds=self._ttl
        )

    async def forget(self, user_id: UUID) -> None:
        """Drop the record (a deleted user): the next request asks the database."""
        if self.current(user_id) is not None:
            _current.set(None)
        await self._cache.delete(USER_PREFIX + str(user_id))
