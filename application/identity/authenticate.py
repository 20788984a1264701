"""Turn a bearer access token into an :class:`Actor`.

Hot path: verify the signature (CPU only), then one cache round trip reading the jti and
session denylists, the user's cached record (its cut-off) and the mark that the denylists are
complete. The database is asked only when the record is not cached (one query), or when the
cache has lost its denylists (one query that checks the revocations and reads the cut-off,
while the copy is rebuilt in the background). The record read is kept for the rest of the
request (``SessionState.current``): ``GET /auth/me`` answers from it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from application.identity.ports import IdentityUnitOfWork
from application.identity.revocations import RevocationCache
from application.identity.session_state import SessionState, UserRecord
from application.identity.sessions import ACCESS, ISSUED_MS_CLAIM, ROLE_CLAIM, SESSION_CLAIM
from application.shared.security import TokenClaims, TokenService
from domain.shared.access import Actor, Role
from domain.shared.errors import Unauthenticated


def _revoked() -> Unauthenticated:
    return Unauthenticated("The token has been revoked.", code="token_revoked")


def _invalid() -> Unauthenticated:
    return Unauthenticated("The token is invalid.", code="invalid_token")


def _parse(claims: TokenClaims) -> tuple[UUID, Role, UUID | None, datetime]:
    try:
        user_id = UUID(claims.subject)
        role = Role(str(claims.extra.get(ROLE_CLAIM)))
        sid_raw = claims.extra.get(SESSION_CLAIM)
        session_id = UUID(sid_raw) if isinstance(sid_raw, str) else None
    except ValueError:
        raise _invalid() from None
    issued_ms = claims.extra.get(ISSUED_MS_CLAIM)
    issued_at = claims.issued_at
    if isinstance(issued_ms, int) and not isinstance(issued_ms, bool):
        precise = datetime.fromtimestamp(issued_ms / 1000, UTC)
        if abs((precise - claims.issued_at).total_seconds()) <= 1:  # must agree with iat
            issued_at = precise
    return user_id, role, session_id, issued_at


class Authenticate:
    """Stateless, so one instance serves every request: ``new_uow`` makes the unit of work
    of a cache miss (each call a fresh one)."""

    def __init__(
        self,
        tokens: TokenService,
        state: SessionState,
        new_uow: Callable[[], IdentityUnitOfWork],
        revocations: RevocationCache,
    ) -> None:
        self._tokens, self._state, self._new_uow = tokens, state, new_uow
        self._revocations = revocations

    async def _load(self, user_id: UUID) -> UserRecord:
        """The user's record from the database, then cached."""
        async with self._new_uow() as uow:
            user = await uow.users.get(user_id)
        if user is None:
            raise _revoked()
        record = UserRecord.of(user)
        await self._state.fill(record)
        return record

    async def __call__(self, token: str) -> Actor:
        self._state.remember(None)
        claims = self._tokens.verify(token, token_type=ACCESS)
        user_id, role, session_id, issued_at = _parse(claims)
        denied, record, complete = await self._state.lookup(claims.jti, user_id, session_id)
        if denied:
            raise _revoked()
        if not complete:  # the cache lost its denylists: the database decides
            check = await self._revocations.check(user_id, claims.jti, session_id)
            if check.revoked or check.cutoff is None:
                raise _revoked()
            if record is not None and not record.cutoff.accepts(issued_at, session_id):
                raise _revoked()  # a cached record is a committed one (or newer): it counts
            cutoff = check.cutoff
            if record is None and cutoff.accepts(issued_at, session_id):
                record = await self._load(user_id)  # once: then the record is cached
        elif record is None:
            record = await self._load(user_id)
            cutoff = record.cutoff
        else:
            cutoff = record.cutoff
        if not cutoff.accepts(issued_at, session_id):
            raise _revoked()
        if record is not None:
            self._state.remember(record)  # GET /auth/me of this request needs nothing more
        return Actor(user_id=user_id, role=role, session_id=session_id)
