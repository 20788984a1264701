"""The identity module's part of the composition root: its settings section, its container
and its spec (``MODULE``, registered in ``registry.py``).

The root container mounts ``IdentityContainer`` as ``container.identity`` with the platform
(clock, cache, hasher, token service, event bus, database, mailer) and ``IdentitySettings``.
Use cases are Factories (a fresh unit of work per call); stateless collaborators are Singletons.
Identity publishes the ``identity.authenticate`` port (the HTTP platform's authentication
calls it), ``identity.user_directory`` (what other modules may ask about users) and
``identity.mail_contacts`` (a user's address and e-mail choice, for notification mail).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec
import structlog
from dependency_injector import containers, providers

from adapters.persistence.memory.identity import MemoryIdentityUnitOfWork
from application.identity.authenticate import Authenticate
from application.identity.contacts import IdentityMailContacts
from application.identity.directory import IdentityUserDirectory
from application.identity.login_throttle import LoginThrottle
from application.identity.passwords import DummyHash, build_password_policy
from application.identity.policy import IdentityPolicy
from application.identity.ports import SecurityLog
from application.identity.revocations import RevocationCache
from application.identity.security_audit import AuditedSecurityLog
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
from application.shared.clock import Clock
from application.shared.rate_limit import RateLimiter
from application.shared.security import IssuedToken, TokenClaims, TokenService
from entrypoints.bootstrap.module import ModuleSpec
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


class IdentitySettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The identity module's ``ATELIER_*`` variables."""

    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 7 * 24 * 3600
    password_require_composition: bool = False
    signup_enabled: bool = True
    password_reset_ttl_seconds: int = 1800
    # failed logins from one client address (any accounts) before it gets 429
    login_address_failure_limit: int = 50
    login_address_failure_window_seconds: int = 900
    # bootstrap administrator
    admin_email: str = ""
    admin_password: str = ""

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not 60 <= self.access_token_ttl_seconds <= 24 * 3600:
            problems.append("ATELIER_ACCESS_TOKEN_TTL_SECONDS must be between 60 and 86400")
        if not 300 <= self.refresh_token_ttl_seconds <= 90 * 24 * 3600:
            problems.append("ATELIER_REFRESH_TOKEN_TTL_SECONDS must be between 300 and 7776000")
        if not 1 <= self.login_address_failure_limit <= 1_000_000:
            problems.append("ATELIER_LOGIN_ADDRESS_FAILURE_LIMIT must be between 1 and 1000000")
        if not 60 <= self.login_address_failure_window_seconds <= 86400:
            problems.append(
                "ATELIER_LOGIN_ADDRESS_FAILURE_WINDOW_SECONDS must be between 60 and 86400"
            )
        if not 60 <= self.password_reset_ttl_seconds <= 7 * 24 * 3600:
            problems.append("ATELIER_PASSWORD_RESET_TTL_SECONDS must be between 60 and 604800")
        if problems:
            raise msgspec.ValidationError("; ".join(problems))


def _policy(settings: Settings, config: IdentitySettings) -> IdentityPolicy:
    base = settings.public_url.rstrip("/")
    return IdentityPolicy(
        access_ttl_seconds=config.access_token_ttl_seconds,
        refresh_ttl_seconds=config.refresh_token_ttl_seconds,
        signup_enabled=config.signup_enabled,
        password_require_composition=config.password_require_composition,
        reset_token_ttl_seconds=config.password_reset_ttl_seconds,
        reset_url_template=f"{base}/reset-password?token={{token}}" if base else None,
        login_address_limit=config.login_address_failure_limit,
        login_address_window_seconds=config.login_address_failure_window_seconds,
    )


def _sql_uow(database: Any, publisher: Any, signal: Any, read_only: bool = False) -> Any:
    from adapters.persistence.sqlalchemy.identity import SqlIdentityUnitOfWork

    return SqlIdentityUnitOfWork(database, publisher, read_only=read_only, outbox_signal=signal)


def _memory_uow(store: Any, publisher: Any, signal: Any) -> Any:
    return MemoryIdentityUnitOfWork(store, publisher, outbox_signal=signal)


def _sql_user_directory(database: Any) -> Any:
    from adapters.persistence.sqlalchemy.identity.directory import SqlUserDirectory

    return SqlUserDirectory(database)


class IdentityContainer(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    config = providers.Dependency(instance_of=IdentitySettings)

    settings = platform.settings
    clock = platform.clock
    cache = platform.cache
    password_hasher = platform.password_hasher
    token_service = platform.token_service
    mailer = platform.mailer
    persistence_kind = platform.persistence_kind

    policy = providers.Singleton(_policy, settings, config)
    password_policy = providers.Singleton(build_password_policy, policy)

    _sql = providers.Factory(
        _sql_uow, platform.database, platform.event_bus, platform.outbox_signal
    )
    _memory = providers.Factory(
        _memory_uow, platform.database, platform.event_bus, platform.outbox_signal
    )
    uow = providers.Selector(persistence_kind, sqlite=_sql, postgres=_sql, memory=_memory)
    # For use cases that never commit: no transaction round trips on PostgreSQL.
    read_uow = providers.Selector(
        persistence_kind,
        sqlite=_sql,
        postgres=providers.Factory(
            _sql_uow, platform.database, platform.event_bus, platform.outbox_signal, read_only=True
        ),
        memory=_memory,
    )
    # security events: the `atelier.security` log and the audit trail, in identity's own
    # transaction
    security_log = providers.Singleton(
        AuditedSecurityLog, providers.Singleton(LoggingSecurityLog), uow.provider, clock
    )
    user_directory = providers.Selector(
        persistence_kind,
        sqlite=providers.Singleton(_sql_user_directory, platform.database),
        postgres=providers.Singleton(_sql_user_directory, platform.database),
        memory=providers.Singleton(IdentityUserDirectory, uow.provider),
    )

    mail_contacts = providers.Singleton(IdentityMailContacts, read_uow.provider)

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
        Login,
        uow,
        password_hasher,
        dummy_hash,
        issuer,
        throttle,
        security_log,
        clock,
        session_state,
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
    me = providers.Factory(GetMe, read_uow, session_state)
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


async def stopping(container: Any) -> None:
    """A revocation-cache rebuild still running must not outlive the database pool."""
    cache = container.revocation_cache()
    if inspect.isawaitable(cache):  # its cache resource was initialised asynchronously
        cache = await cache
    await cache.close()


MODULE = ModuleSpec(
    name="identity",
    container=IdentityContainer,
    settings=IdentitySettings,
    tables="adapters.persistence.sqlalchemy.identity.tables",
    exports={
        "authenticate": "authenticate",
        "user_directory": "user_directory",
        "mail_contacts": "mail_contacts",
    },
    rate_limits={
        "register": (5, 60),
        # every attempt from one address, sized for a site of a few hundred people behind one
        # NAT address at shift start; failures are bounded much tighter by the login throttle
        "login": (300, 60),
        "password_reset": (3, 60),
        "password_reset_confirm": (3, 60),
        "refresh": (30, 60),
    },
    stopping=stopping,
)
