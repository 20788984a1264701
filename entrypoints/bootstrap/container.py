"""The composition root: the only place that knows which adapter serves which port.

The root :class:`Container` holds the platform: settings and secrets, the clock, the
adapters chosen by the settings (database, storage, cache, mailer, token service, password
hasher), and the event backbone (outbox, dead letters, codec, relay wake-up signal). The
pools and clients are dependency-injector ``Resource`` providers: ``await start(container)``
opens them (no I/O happens before), ``await shutdown(container)`` closes them.

:func:`build_container` then mounts every registered module (``registry.modules()``): each
``ModuleSpec.container`` becomes ``container.<name>`` with the platform and its settings
section, its published ports are wired into the modules that import them, and its
integration events and subscriptions join the catalogue the relay and the deliveries use.
Nothing here names a module.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from dependency_injector import containers, providers, resources

from adapters.cache.memory import MemoryCache
from adapters.clock import SystemClock
from adapters.events.codec import MsgspecEventCodec
from adapters.events.signal import InProcessSignal
from adapters.mail.console import ConsoleMailer
from adapters.mail.memory import MemoryMailer
from adapters.persistence.memory.store import MemoryStore
from application.shared.events import EventBus
from application.shared.integration import EventCatalogue, SubscriptionIndex
from application.shared.list_audit import ListAudit
from entrypoints.bootstrap.module import ModuleSpec
from entrypoints.bootstrap.secrets import Secrets
from entrypoints.bootstrap.settings import Settings

log = logging.getLogger("atelier.bootstrap")

# -- adapter builders (lazy imports keep optional drivers out of the embedded profile) -------


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


def _memory_storage(settings: Settings) -> Any:
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


def _memory_cache(settings: Settings) -> Any:
    return MemoryCache()


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
            timeout_seconds=settings.smtp_timeout_seconds,
        )
    )


def _channels_backend(settings: Settings) -> Any:
    from adapters.realtime.channels import memory_backend, redis_backend

    if settings.cache_kind == "redis":
        return redis_backend(settings.redis_url, settings.redis_key_prefix)
    return memory_backend()


def _broadcaster(backend: Any) -> Any:
    from adapters.realtime.channels import ChannelsBroadcaster

    return ChannelsBroadcaster(backend)


def _url_signer(secrets: Secrets) -> Any:
    from adapters.security.url_signer import HmacUrlSigner

    return HmacUrlSigner(secrets.password_pepper)


def _sql_outbox(database: Any) -> Any:
    from adapters.persistence.sqlalchemy.events import SqlOutbox

    return SqlOutbox(database)


def _sql_dead_letters(database: Any) -> Any:
    from adapters.persistence.sqlalchemy.events import SqlDeadLetters

    return SqlDeadLetters(database)


def _memory_outbox(store: Any) -> Any:
    from adapters.persistence.memory.events import MemoryOutbox

    return MemoryOutbox(store)


def _sql_audit_trail(database: Any) -> Any:
    from adapters.persistence.sqlalchemy.audit import SqlAuditTrail

    return SqlAuditTrail(database)


def _memory_audit_trail(store: Any) -> Any:
    from adapters.persistence.memory.audit import MemoryAuditTrail

    return MemoryAuditTrail(store)


def _memory_dead_letters(store: Any) -> Any:
    from adapters.persistence.memory.events import MemoryDeadLetters

    return MemoryDeadLetters(store)


# -- resources: the pools and clients, opened by ``start`` and closed by ``shutdown`` --------
_DATABASES = {"sqlite": _sql_database, "postgres": _sql_database}
_STORAGES = {"local": _local_storage, "s3": _s3_storage, "memory": _memory_storage}
_CACHES = {"memory": _memory_cache, "redis": _redis_cache}


async def _close(adapter: Any) -> None:
    closer = getattr(adapter, "aclose", None) or getattr(adapter, "close", None)
    if closer is not None:
        result = closer()
        if hasattr(result, "__await__"):
            await result


class DatabaseResource(resources.AsyncResource[Any]):
    """The SQL database of the configured persistence, or the memory store."""

    async def init(self, settings: Settings) -> Any:
        builder = _DATABASES.get(settings.persistence_kind)
        return builder(settings) if builder is not None else MemoryStore()

    async def shutdown(self, resource: Any) -> None:
        await _close(resource)


class AdapterResource(resources.AsyncResource[Any]):
    """The adapter ``builders[kind]`` makes (built without I/O; closed at shutdown)."""

    async def init(self, settings: Settings, kind: str, builders: Mapping[str, Any]) -> Any:
        return builders[kind](settings)

    async def shutdown(self, resource: Any) -> None:
        await _close(resource)


class QueueResource(resources.AsyncResource[Any]):
    """The configured job queue over every installed module's jobs."""

    async def init(self, settings: Settings, registry: Any) -> Any:
        from entrypoints.bootstrap.background import build_queue

        return build_queue(settings, registry)

    async def shutdown(self, resource: Any) -> None:
        await _close(resource)


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    secrets = providers.Dependency(instance_of=Secrets)

    clock = providers.Singleton(SystemClock)
    event_bus = providers.Singleton(EventBus)
    module_specs = providers.Object(())
    """The installed modules' specs (set by ``build_container``)."""

    # -- adapters --------------------------------------------------------------------
    persistence_kind = providers.Callable(lambda s: s.persistence_kind, settings)
    database = providers.Resource(DatabaseResource, settings)
    storage_kind = providers.Callable(lambda s: s.storage_kind, settings)
    storage = providers.Resource(AdapterResource, settings, storage_kind, _STORAGES)
    cache_kind = providers.Callable(lambda s: s.cache_kind, settings)
    cache = providers.Resource(AdapterResource, settings, cache_kind, _CACHES)
    mailer_kind = providers.Callable(lambda s: s.mailer, settings)
    mailer = providers.Selector(
        mailer_kind,
        console=providers.Singleton(ConsoleMailer),
        memory=providers.Singleton(MemoryMailer),
        smtp=providers.Singleton(_smtp_mailer, settings),
    )

    # -- security --------------------------------------------------------------------
    token_service = providers.Singleton(_token_service, settings, secrets, clock)
    password_hasher = providers.Singleton(_password_hasher, settings, secrets)
    url_signer = providers.Singleton(_url_signer, secrets)

    # -- real time (application/shared/realtime.py) -------------------------------------
    # the Litestar channels backend: the app's ChannelsPlugin subscribes on it (it opens and
    # closes it), jobs publish on it from any process
    channels_backend = providers.Singleton(_channels_backend, settings)
    broadcaster = providers.Singleton(_broadcaster, channels_backend)

    # -- the audit trail every module writes (application/shared/audit.py) -----------
    audit_trail = providers.Selector(
        persistence_kind,
        sqlite=providers.Singleton(_sql_audit_trail, database),
        postgres=providers.Singleton(_sql_audit_trail, database),
        memory=providers.Singleton(_memory_audit_trail, database),
    )
    list_audit = providers.Factory(ListAudit, audit_trail)

    # -- the event backbone (see application/shared/integration.py) -------------------
    outbox_signal = providers.Singleton(InProcessSignal)
    event_catalogue = providers.Singleton(EventCatalogue)
    subscriptions = providers.Singleton(SubscriptionIndex)
    event_codec = providers.Singleton(MsgspecEventCodec, event_catalogue)
    outbox = providers.Selector(
        persistence_kind,
        sqlite=providers.Singleton(_sql_outbox, database),
        postgres=providers.Singleton(_sql_outbox, database),
        memory=providers.Singleton(_memory_outbox, database),
    )
    dead_letters = providers.Selector(
        persistence_kind,
        sqlite=providers.Singleton(_sql_dead_letters, database),
        postgres=providers.Singleton(_sql_dead_letters, database),
        memory=providers.Singleton(_memory_dead_letters, database),
    )

    # -- the job queue (application/shared/jobs.py): every module's jobs ----------------
    job_registry: providers.Object[Any] = providers.Object(None)
    """Set by ``build_container`` once the modules are mounted."""
    job_queue = providers.Resource(QueueResource, settings, job_registry)


def _mount(container: Container, spec: ModuleSpec, settings: Settings) -> None:
    kwargs: dict[str, Any] = {"platform": container}
    if spec.settings is not None:
        kwargs["config"] = providers.Object(settings.section(spec.settings))
    container.set_provider(spec.name, providers.Container(spec.container, **kwargs))


def _wire_ports(container: Container, specs: Sequence[ModuleSpec]) -> None:
    by_name = {spec.name: spec for spec in specs}
    for spec in specs:
        for local, published in spec.imports.items():
            optional = published.endswith("?")
            module, _, port = published.removesuffix("?").partition(".")
            exporter = by_name.get(module)
            if exporter is None or port not in exporter.exports:
                if optional:  # the module is not installed: the Dependency keeps its default
                    continue
                raise RuntimeError(f"{spec.name} imports {published!r}, which nobody exports")
            source = getattr(module_container(container, module), exporter.exports[port])
            getattr(module_container(container, spec.name), local).override(source)


def module_container(container: Container, name: str) -> Any:
    """The container of module ``name`` (``container.<name>``)."""
    return getattr(container, name)


def published_port(container: Container, name: str) -> Any:
    """The provider behind a published port ``"<module>.<port>"`` (see ``ModuleSpec.exports``)."""
    module, _, port = name.partition(".")
    for spec in installed_specs(container):
        if spec.name == module and port in spec.exports:
            return getattr(module_container(container, module), spec.exports[port])
    raise LookupError(f"no installed module publishes the port {name!r}")


def build_container(
    settings: Settings,
    secrets: Secrets | None = None,
    *,
    specs: list[ModuleSpec] | None = None,
) -> Container:
    """A container for ``settings`` with every registered module mounted; ``secrets``
    default to the profile's resolution. Call ``await start(container)`` before using it."""
    from entrypoints.bootstrap.registry import modules
    from entrypoints.bootstrap.secrets import resolve_secrets

    container = Container(settings=settings, secrets=secrets or resolve_secrets(settings))
    installed = modules() if specs is None else specs
    catalogue: EventCatalogue = container.event_catalogue()
    for spec in installed:
        _mount(container, spec, settings)
        for event in spec.publishes:
            catalogue.add(event)
    container.subscriptions.override(
        providers.Object(
            SubscriptionIndex([sub for spec in installed for sub in spec.subscriptions])
        )
    )
    _wire_ports(container, installed)
    from entrypoints.bootstrap.background import job_registry

    container.job_registry.override(providers.Object(job_registry(container, installed)))
    for spec in installed:
        if spec.setup is not None:
            spec.setup(module_container(container, spec.name))
    container.module_specs.override(providers.Object(tuple(installed)))
    return container


def installed_specs(container: Container) -> tuple[ModuleSpec, ...]:
    specs: tuple[ModuleSpec, ...] = container.module_specs()
    return specs


def _resources(container: Container) -> list[Any]:
    return list(container.traverse(types=[providers.Resource]))


async def start(container: Container) -> None:
    """Open the pools and clients (idempotent). Afterwards the resources are handed out
    as plain objects (dependency-injector would otherwise keep wrapping them in futures,
    having met them asynchronously), so every consumer stays synchronous."""
    result = container.init_resources()
    if result is not None:  # None when every resource is open already
        await result
    for resource in _resources(container):
        resource.disable_async_mode()


async def shutdown(container: Container) -> None:
    """Stop the modules' own background tasks, then close every pool and client the
    container opened (idempotent)."""
    specs: Sequence[ModuleSpec] = container.module_specs()
    for spec in specs:
        if spec.stopping is not None:
            try:
                await spec.stopping(module_container(container, spec.name))
            except Exception:
                log.exception("module_stopping_failed", extra={"module": spec.name})
    for resource in _resources(container):
        resource.enable_async_mode()
    result = container.shutdown_resources()
    if result is not None:
        await result


@asynccontextmanager
async def running(settings: Settings, secrets: Secrets | None = None) -> AsyncIterator[Container]:
    """A started container, shut down on exit (CLI commands, scripts, tests)."""
    container = build_container(settings, secrets)
    await start(container)
    try:
        yield container
    finally:
        await shutdown(container)


def health_checks(container: Container) -> dict[str, Any]:
    """The adapters ``/health/ready`` pings, by the name it reports (the job queue where it
    is a service of its own: SAQ on Redis in production)."""
    checks = {
        "database": container.database(),
        "cache": container.cache(),
        "storage": container.storage(),
    }
    if container.settings().queue_kind == "saq":
        checks["queue"] = container.job_queue()
    return checks
