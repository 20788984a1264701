"""Log in with e-mail and password: a new session (refresh family) and a token pair."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field

from application.identity.login_throttle import LoginThrottle
from application.identity.passwords import DummyHash
from application.identity.ports import IdentityUnitOfWork, SecurityLog
from application.identity.revocations import publish_user
from application.identity.session_state import SessionState
from application.identity.sessions import SessionIssuer
from application.identity.views import TokenPair
from application.shared.clock import Clock
from application.shared.security import PasswordHasher
from domain.identity.events import AccountLocked, LoginFailed, LoginSucceeded
from domain.identity.values import normalize_email
from domain.shared.errors import PreconditionFailed, Unauthenticated

MAX_PASSWORD_CHARS = 1024  # beyond any policy: refuse before hashing megabytes


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginCommand:
    email: str
    password: str = field(repr=False)
    client_address: str | None = None


def invalid_credentials() -> Unauthenticated:
    return Unauthenticated("The e-mail or password is incorrect.", code="invalid_credentials")


class Login:
    def __init__(
        self,
        uow: IdentityUnitOfWork,
        hasher: PasswordHasher,
        dummy_hash: DummyHash,
        issuer: SessionIssuer,
        throttle: LoginThrottle,
        security_log: SecurityLog,
        clock: Clock,
        state: SessionState,
    ) -> None:
        self._state = state
        self._uow, self._hasher, self._dummy = uow, hasher, dummy_hash
        self._issuer, self._throttle, self._log, self._clock = issuer, throttle, security_log, clock

    async def __call__(self, command: LoginCommand) -> TokenPair:
        account, address = normalize_email(command.email), command.client_address
        await self._throttle.check(account, address)
        async with self._uow as uow:
            user = await uow.users.get_by_email(account) if account else None
        password = command.password
        if user is None or len(password) > MAX_PASSWORD_CHARS:
            await self._dummy.verify(password[:MAX_PASSWORD_CHARS])
            ok = False
        else:
            ok = await self._hasher.verify(password, user.password_hash) and user.is_active
        if user is None or not ok:
            user_id = None if user is None else user.id
            locked = await self._throttle.failed(account, address)
            await self._log.record(LoginFailed.__name__, user_id=user_id, ip=address)
            if locked:
                await self._log.record(AccountLocked.__name__, user_id=user_id, ip=address)
            raise invalid_credentials()
        await self._throttle.succeeded(account, address)
        new_hash = (
            await self._hasher.hash(password)
            if self._hasher.needs_rehash(user.password_hash)
            else None
        )
        async with self._uow as uow:
            fresh = await uow.users.get(user.id)
            if (  # deactivated, or the password changed, while we were hashing
                fresh is None or not fresh.is_active or fresh.password_hash != user.password_hash
            ):
                raise invalid_credentials()
            now = self._clock.now()
            if new_hash is not None:
                fresh.rehash_password(new_hash, now)
                with suppress(PreconditionFailed):  # a concurrent login rehashed it first
                    await uow.users.save(fresh)
            fresh.record_login(now)
            await uow.users.record_login(fresh.id, now)
            pair = await self._issuer.start(uow, fresh, now)
            await self._state.hold(fresh.id)  # the record's last_login_at changes
            await uow.commit()
        await publish_user(self._state, fresh)
        await self._log.record(LoginSucceeded.__name__, user_id=fresh.id, ip=address)
        return pair
