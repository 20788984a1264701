"""The composition root: the only place that knows which adapter serves which port.

A ``providers.Selector`` per port picks the adapter named by the settings
(``persistence``: sqlite|postgres|memory, ``storage``: local|s3|memory, ``cache``:
memory|redis). Builders import optional drivers lazily, so the embedded profile never
imports aioboto3 or redis. Nothing here opens a connection at import time: engines and
clients are created on first use and closed by ``shutdown``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dependency_injector import containers, providers

from adapters.cache.memory import MemoryCache
from adapters.clock import SystemClock
from adapters.persistence.memory.store import MemoryStore
from application.shared.events import EventBus
from entrypoints.bootstrap.identity import IdentityContainer, LoggingSecurityLog
from entrypoints.bootstrap.maintenance import MaintenanceContainer, subscribe_event_handlers
from entrypoints.bootstrap.secrets import Secrets
from entrypoints.bootstrap.security_audit import AuditedSecurityLog
from entrypoints.bootstrap.settings import Settings

# -- builders (lazy imports keep optional drivers out of the embedded profile) ------------


def _sql_database(settings: Settings) -> Any:
    from adapters.persistence.sqlalchemy.engine import SqlDatabase

    return SqlDatabase.from_settings(
        url=settings.effective_database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout_seconds,
        statement_timeout_ms=settings.database_statement_timeout_ms,
        connect_timeout=settings.database_connect_timeout_seconds,
        echo=settings.database_echo,
    )


def _local_storage(settings: Settings) -> Any:
    from adapters.storage.local import LocalBlobStorage

    return LocalBlobStorage(Path(settings.effective_storage_dir))


def _memory_storage() -> Any:
    from adapters.storage.memory import MemoryBlobStorage

    return MemoryBlobStorage()


def _s3_storage(settings: Settings) -> Any:
    from adapters.storage.s3 import S3BlobStorage

    return S3BlobStorage(
        bucket=settings.s3_bucket,
        endpoint_url=settings.s3_endpoint_url or None,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id or None,
        secret_access_key=settings.s3_secret_access_key or None,
        path_style=settings.s3_path_style,
        create_bucket=settings.s3_create_bucket,
        connect_timeout_seconds=settings.s3_connect_timeout_seconds,
        read_timeout_seconds=settings.s3_read_timeout_seconds,
        max_attempts=settings.s3_max_attempts,
    )


def _redis_cache(settings: Settings) -> Any:
    from adapters.cache.redis import RedisCache

    return RedisCache.from_url(
        settings.redis_url,
        prefix=settings.redis_key_prefix,
        connect_timeout_seconds=settings.redis_connect_timeout_seconds,
        socket_timeout_seconds=settings.redis_socket_timeout_seconds,
        max_connections=settings.redis_max_connections,
        retries=settings.redis_retries,
        cooldown_seconds=settings.redis_cooldown_seconds,
    )


def _token_service(settings: Settings, secrets: Secrets, clock: SystemClock) -> Any:
    from adapters.security.jwt_tokens import JwtConfig, JwtTokenService

    return JwtTokenService(
        JwtConfig(
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            algorithm=settings.jwt_algorithm,
            signing_key=secrets.jwt_signing_key,
            key_id=settings.jwt_key_id,
            verification_keys=secrets.jwt_verification_keys,
            leeway_seconds=settings.jwt_leeway_seconds,
        ),
        clock,
    )


def _password_hasher(settings: Settings, secrets: Secrets) -> Any:
    from adapters.security.bcrypt_hasher import BcryptPasswordHasher

    pepper = secrets.password_pepper.encode()
    return BcryptPasswordHasher(pepper=pepper, rounds=settings.bcrypt_rounds)


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    secrets = providers.Dependency(instance_of=Secrets)

    clock = providers.Singleton(SystemClock)
    event_bus = providers.Singleton(EventBus)

    # -- persistence -----------------------------------------------------------------
    persistence_kind = providers.Callable(lambda s: s.persistence_kind, settings)
    sql_database = providers.Singleton(_sql_database, settings)
    memory_store = providers.Singleton(MemoryStore)
    database = providers.Selector(
        persistence_kind, sqlite=sql_database, postgres=sql_database, memory=memory_store
    )

    # -- storage ---------------------------------------------------------------------
    storage_kind = providers.Callable(lambda s: s.storage_kind, settings)
    storage = providers.Selector(
        storage_kind,
        local=providers.Singleton(_local_storage, settings),
        s3=providers.Singleton(_s3_storage, settings),
        memory=providers.Singleton(_memory_storage),
    )

    # -- cache -----------------------------------------------------------------------
    cache_kind = providers.Callable(lambda s: s.cache_kind, settings)
    cache = providers.Selector(
        cache_kind,
        memory=providers.Singleton(MemoryCache),
        redis=providers.Singleton(_redis_cache, settings),
    )

    # -- security --------------------------------------------------------------------
    token_service = providers.Singleton(_token_service, settings, secrets, clock)
    password_hasher = providers.Singleton(_password_hasher, settings, secrets)

    # -- modules ---------------------------------------------------------------------
    identity = providers.Container(
        IdentityContainer,
        settings=settings,
        clock=clock,
        cache=cache,
        password_hasher=password_hasher,
        token_service=token_service,
        event_bus=event_bus,
        database=database,
        persistence_kind=persistence_kind,
    )
    maintenance = providers.Container(
        MaintenanceContainer,
        settings=settings,
        clock=clock,
        cache=cache,
        event_bus=event_bus,
        database=database,
        persistence_kind=persistence_kind,
        identity_uow_factory=identity.uow.provider,
    )


def build_container(settings: Settings, secrets: Secrets | None = None) -> Container:
    """A container for ``settings``; ``secrets`` default to the profile's resolution."""
    from entrypoints.bootstrap.secrets import resolve_secrets

    container = Container(settings=settings, secrets=secrets or resolve_secrets(settings))
    subscribe_event_handlers(container.maintenance)  # type: ignore[arg-type]
    # identity's security events also go to the audit trail kept by maintenance
    container.identity.security_log.override(
        providers.Singleton(
            AuditedSecurityLog,
            LoggingSecurityLog(),
            container.maintenance.uow.provider,
            container.clock,
        )
    )
    return container


def health_checks(container: Container) -> dict[str, Any]:
    """The adapters ``/health/ready`` pings, by the name it reports."""
    return {
        "database": container.database(),
        "cache": container.cache(),
        "storage": container.storage(),
    }


async def shutdown(container: Container) -> None:
    """Close every pool and client the container created (idempotent)."""
    for provider in (container.database, container.cache, container.storage):
        instance = provider()
        closer = getattr(instance, "aclose", None) or getattr(instance, "close", None)
        if closer is not None:
            result = closer()
            if hasattr(result, "__await__"):
                await result
