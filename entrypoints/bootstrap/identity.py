"""The identity module's part of the composition root.

``Container`` mounts it as ``identity = providers.Container(IdentityContainer, ...)`` and hands
it the shared ports (settings, clock, cache, hasher, token service, event bus, database).
Use cases are Factories (a fresh unit of work per call); stateless collaborators are Singletons.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import structlog
from dependency_injector import containers, providers

from adapters.mail.console import ConsoleMailer
from adapters.mail.memory import MemoryMailer
from adapters.persistence.memory.identity import MemoryIdentityUnitOfWork
from application.identity.authenticate import Authenticate
from application.identity.login_throttle import LoginThrottle
from application.identity.passwords import DummyHash, build_password_policy
from application.identity.policy import IdentityPolicy
from application.identity.ports import SecurityLog
from application.identity.revocations import RevocationCache
from application.identity.session_state import SessionState
from application.identity.sessions import SessionIssuer
from application.identity.use_cases.change_password import ChangePassword
from application.identity.use_cases.confirm_password_reset import ConfirmPasswordReset
from application.identity.use_cases.create_user import CreateUser
from application.identity.use_cases.deactivate_user import DeactivateUser
from application.identity.use_cases.get_preferences import GetPreferences
from application.identity.use_cases.get_user import GetUser
from application.identity.use_cases.list_users import ListUsers
from application.identity.use_cases.login import Login
from application.identity.use_cases.logout import Logout
from application.identity.use_cases.me import GetMe
from application.identity.use_cases.put_preferences import PutPreferences
from application.identity.use_cases.refresh import Refresh
from application.identity.use_cases.register import Register
from application.identity.use_cases.request_password_reset import RequestPasswordReset
from application.identity.use_cases.update_user import UpdateUser
from application.shared.cache import Cache
from application.shared.clock import Clock
from application.shared.events import EventBus
from application.shared.rate_limit import RateLimiter
from application.shared.security import IssuedToken, PasswordHasher, TokenClaims, TokenService
from entrypoints.bootstrap.settings import Settings

security_logger = structlog.get_logger("atelier.security")

_LINE_KEYS = frozenset({"event", "level", "logger", "timestamp", "request_id", "user_id", "ip"})


class LoggingSecurityLog(SecurityLog):
    """Security events as log lines on ``atelier.security``: the event name is the line's
    ``event`` and ``user_id``, ``ip`` and each detail are fields of their own (JSON fields with
    ``ATELIER_LOG_JSON``). Never secrets: callers pass only event names, ids, addresses and
    plain details."""

    def __init__(self, logger: Any = security_logger) -> None:
        self._log = logger

    async def record(
        self,
        event_name: str,
        *,
        user_id: UUID | None,
        ip: str | None,
        detail: Mapping[str, str] | None = None,
    ) -> None:
        fields = {
            (f"detail_{key}" if key in _LINE_KEYS else key): value
            for key, value in (detail or {}).items()
        }
        self._log.info(
            event_name,
            user_id=None if user_id is None else str(user_id),
            ip=ip,
            **fields,
        )


class VerifiedTokenCache(TokenService):
    """Remembers successful verifications of access tokens (pure CPU: signature, claims), so
    the hot path verifies each token once per process. A hit is used only while the token is
    unexpired; revocation is still checked on every request by ``Authenticate``."""

    def __init__(self, inner: TokenService, clock: Clock, *, max_entries: int = 10_000) -> None:
        self._inner, self._clock, self._max = inner, clock, max_entries
        self._verified: dict[tuple[str, str], TokenClaims] = {}

    def issue(
        self,
        subject: str,
        *,
        token_type: str,
        ttl_seconds: int,
        extra: Mapping[str, object] | None = None,
    ) -> IssuedToken:
        return self._inner.issue(
            subject, token_type=token_type, ttl_seconds=ttl_seconds, extra=extra
        )

    def verify(self, token: str, *, token_type: str) -> TokenClaims:
        key = (token, token_type)
        claims = self._verified.get(key)
        if claims is not None and self._clock.now() < claims.expires_at:
            return claims
        claims = self._inner.verify(token, token_type=token_type)
        if len(self._verified) >= self._max:
            self._verified.clear()  # crude bound: the next requests refill it
        self._verified[key] = claims
        return claims


def _policy(settings: Settings) -> IdentityPolicy:
    base = settings.public_url.rstrip("/")
    return IdentityPolicy(
        access_ttl_seconds=settings.access_token_ttl_seconds,
        refresh_ttl_seconds=settings.refresh_token_ttl_seconds,
        signup_enabled=settings.signup_enabled,
        password_require_composition=settings.password_require_composition,
        reset_token_ttl_seconds=settings.password_reset_ttl_seconds,
        reset_url_template=f"{base}/reset-password?token={{token}}" if base else None,
    )


def _sql_uow(database: Any, publisher: Any, read_only: bool = False) -> Any:
    from adapters.persistence.sqlalchemy.identity import SqlIdentityUnitOfWork

    return SqlIdentityUnitOfWork(database, publisher, read_only=read_only)


def _smtp_mailer(settings: Settings) -> Any:
    from adapters.mail.smtp import SmtpMailer, SmtpSettings

    return SmtpMailer(
        SmtpSettings(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_sender,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            starttls=settings.smtp_starttls,
            use_ssl=settings.smtp_port == 465,
        )
    )


class IdentityContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock: providers.Dependency[Clock] = providers.Dependency()
    cache: providers.Dependency[Cache] = providers.Dependency()
    password_hasher: providers.Dependency[PasswordHasher] = providers.Dependency()
    token_service: providers.Dependency[TokenService] = providers.Dependency()
    event_bus: providers.Dependency[EventBus] = providers.Dependency()
    database: providers.Dependency[Any] = providers.Dependency()
    persistence_kind = providers.Dependency(instance_of=str)

    policy = providers.Singleton(_policy, settings)
    password_policy = providers.Singleton(build_password_policy, policy)

    uow = providers.Selector(
        persistence_kind,
        sqlite=providers.Factory(_sql_uow, database, event_bus),
        postgres=providers.Factory(_sql_uow, database, event_bus),
        memory=providers.Factory(MemoryIdentityUnitOfWork, database, event_bus),
    )
    # For use cases that never commit: no transaction round trips on PostgreSQL.
    read_uow = providers.Selector(
        persistence_kind,
        sqlite=providers.Factory(_sql_uow, database, event_bus),
        postgres=providers.Factory(_sql_uow, database, event_bus, read_only=True),
        memory=providers.Factory(MemoryIdentityUnitOfWork, database, event_bus),
    )

    mailer_kind = providers.Callable(lambda s: s.mailer, settings)
    mailer = providers.Selector(
        mailer_kind,
        console=providers.Singleton(ConsoleMailer),
        memory=providers.Singleton(MemoryMailer),
        smtp=providers.Singleton(_smtp_mailer, settings),
    )
    security_log = providers.Singleton(LoggingSecurityLog)

    session_state = providers.Singleton(
        SessionState,
        cache,
        ttl_seconds=policy.provided.user_state_cache_ttl_seconds,
    )
    limiter = providers.Singleton(RateLimiter, cache)
    throttle = providers.Singleton(LoginThrottle, limiter, policy)
    dummy_hash = providers.Singleton(DummyHash, password_hasher)
    issuer = providers.Singleton(SessionIssuer, token_service, policy)
    verified_tokens = providers.Singleton(VerifiedTokenCache, token_service, clock)

    # the cache's copy of the durable revocations, rebuilt (in the background) when lost
    revocation_cache = providers.Singleton(RevocationCache, session_state, read_uow.provider, clock)

    # -- use cases -----------------------------------------------------------------------------
    # The hot path: one instance (no per-request construction); a cache miss makes its own uow.
    authenticate = providers.Singleton(
        Authenticate, verified_tokens, session_state, read_uow.provider, revocation_cache
    )
    register = providers.Factory(Register, uow, password_hasher, clock, policy, password_policy)
    login = providers.Factory(
        Login, uow, password_hasher, dummy_hash, issuer, throttle, security_log, clock
    )
    refresh = providers.Factory(Refresh, uow, issuer, security_log, clock, session_state)
    logout = providers.Factory(
        Logout,
        uow,
        token_service,
        session_state,
        clock,
        access_ttl_seconds=policy.provided.access_ttl_seconds,
    )
    me = providers.Factory(GetMe, read_uow)
    change_password = providers.Factory(
        ChangePassword, uow, password_hasher, password_policy, session_state, security_log, clock
    )
    request_password_reset = providers.Factory(
        RequestPasswordReset, uow, mailer, limiter, security_log, clock, policy
    )
    confirm_password_reset = providers.Factory(
        ConfirmPasswordReset,
        uow,
        password_hasher,
        password_policy,
        session_state,
        security_log,
        clock,
    )
    list_users = providers.Factory(ListUsers, uow)  # count + page: one snapshot
    get_user = providers.Factory(GetUser, read_uow)
    create_user = providers.Factory(CreateUser, uow, password_hasher, password_policy, clock)
    update_user = providers.Factory(UpdateUser, uow, session_state, clock)
    deactivate_user = providers.Factory(DeactivateUser, uow, session_state, clock)
    get_preferences = providers.Factory(GetPreferences, read_uow)
    put_preferences = providers.Factory(PutPreferences, uow, clock)
