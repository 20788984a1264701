"""The automation module's part of the composition root: its settings section, container
and spec.

Adapters: RE2 for patterns, PyYAML (bounded) for YAML, httpx for the Galaxy v3 API, the
platform's Cache for the catalogue's read-through cache. Jobs: the catalogue's preload
(level one; queued at start-up and on ``ATELIER_GALAXY_PRELOAD_CRON``) and its background
enrichment (level two; one page of namespaces per run at a bounded rate, then it queues the
next page).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import msgspec
from dependency_injector import containers, providers, resources

from adapters.automation.galaxy import HttpxGalaxyUpstream
from adapters.automation.patterns import Re2PatternEngine
from adapters.automation.yaml_codec import PyYamlCodec
from adapters.persistence.memory.automation import MemoryAutomationUnitOfWork
from adapters.queue.base import check_cron
from application.automation.galaxy import CachedGalaxy, CacheSettings
from application.automation.ports import ParseLimits
from application.automation.use_cases.admin_list_variable_types import AdminListVariableTypes
from application.automation.use_cases.browse_galaxy import BrowseGalaxy
from application.automation.use_cases.create_playbook import CreatePlaybook
from application.automation.use_cases.create_variable_type import CreateVariableType
from application.automation.use_cases.delete_playbook import DeletePlaybook
from application.automation.use_cases.delete_variable_type import DeleteVariableType
from application.automation.use_cases.enrich_catalogue import EnrichCatalogue
from application.automation.use_cases.export_playbook import ExportPlaybook
from application.automation.use_cases.get_playbook import GetPlaybook
from application.automation.use_cases.get_variable_type import GetVariableType
from application.automation.use_cases.install_examples import InstallExamples
from application.automation.use_cases.list_playbooks import ListPlaybooks
from application.automation.use_cases.list_variable_types import ListVariableTypes
from application.automation.use_cases.preload_popular import PreloadPopular
from application.automation.use_cases.replace_variable_type import ReplaceVariableType
from application.automation.use_cases.update_playbook import UpdatePlaybook
from application.automation.use_cases.validate_value import ValidateValue
from application.automation.validation import ValueValidator
from application.shared.jobs import JobContext, JobDefinition, Json, Payload, Schedule
from entrypoints.bootstrap.module import ModuleSpec

log = logging.getLogger("atelier.automation")

POPULAR_NAMESPACES = [
    "ansible",
    "community",
    "amazon",
    "azure",
    "google",
    "kubernetes",
    "cisco",
    "containers",
    "redhat",
    "microsoft",
]


class AutomationSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The automation module's ``ATELIER_*`` variables."""

    galaxy_url: str = ""
    galaxy_connect_timeout_seconds: float = 2.0
    galaxy_timeout_seconds: float = 5.0
    galaxy_retries: int = 2
    galaxy_cache_ttl_seconds: int = 1800
    galaxy_stale_keep_seconds: int = 7 * 24 * 3600
    galaxy_retry_after_seconds: int = 30
    galaxy_popular_namespaces: list[str] = msgspec.field(
        default_factory=lambda: list(POPULAR_NAMESPACES)
    )
    galaxy_preload_cron: str = "*/20 * * * *"
    galaxy_enrich_per_minute: int = 30
    galaxy_enrich_batch: int = 50

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.galaxy_url and not self.galaxy_url.startswith(("http://", "https://")):
            problems.append("ATELIER_GALAXY_URL must be an http:// or https:// URL")
        for name, low, high, value in (
            ("GALAXY_CONNECT_TIMEOUT_SECONDS", 0.1, 60, self.galaxy_connect_timeout_seconds),
            ("GALAXY_TIMEOUT_SECONDS", 0.1, 120, self.galaxy_timeout_seconds),
            ("GALAXY_RETRIES", 0, 5, self.galaxy_retries),
            ("GALAXY_CACHE_TTL_SECONDS", 1, 7 * 24 * 3600, self.galaxy_cache_ttl_seconds),
            ("GALAXY_STALE_KEEP_SECONDS", 1, 90 * 24 * 3600, self.galaxy_stale_keep_seconds),
            ("GALAXY_RETRY_AFTER_SECONDS", 1, 3600, self.galaxy_retry_after_seconds),
            ("GALAXY_ENRICH_PER_MINUTE", 1, 600, self.galaxy_enrich_per_minute),
            ("GALAXY_ENRICH_BATCH", 1, 200, self.galaxy_enrich_batch),
        ):
            if not low <= value <= high:
                problems.append(f"ATELIER_{name} must be between {low} and {high}")
        if self.galaxy_stale_keep_seconds < self.galaxy_cache_ttl_seconds:
            problems.append(
                "ATELIER_GALAXY_STALE_KEEP_SECONDS must be at least "
                "ATELIER_GALAXY_CACHE_TTL_SECONDS"
            )
        try:
            check_cron(self.galaxy_preload_cron)
        except ValueError as exc:
            problems.append(f"ATELIER_GALAXY_PRELOAD_CRON: {exc}")
        if problems:
            raise msgspec.ValidationError("; ".join(problems))


PRELOAD_JOB = "automation.galaxy_preload"
ENRICH_JOB = "automation.galaxy_enrich"


def _jobs(container: Any) -> list[JobDefinition]:
    async def preload(ctx: JobContext, payload: Payload) -> Json:
        report = await container.preload_popular()()
        await container.job_queue().enqueue(
            ENRICH_JOB, {"offset": 0}, key=f"{ENRICH_JOB}:0:{ctx.job_id}"
        )
        return {"fetched": report.fetched, "failed": report.failed}

    async def enrich(ctx: JobContext, payload: Payload) -> Json:
        offset = int(payload.get("offset", 0))
        report = await container.enrich_catalogue()(offset)
        if report.next_offset is not None:
            await container.job_queue().enqueue(
                ENRICH_JOB,
                {"offset": report.next_offset},
                key=f"{ENRICH_JOB}:{report.next_offset}:{ctx.job_id}",
            )
        return {"fetched": report.fetched, "failed": report.failed, "next": report.next_offset}

    return [
        JobDefinition(PRELOAD_JOB, preload, retries=2, retry_delay_seconds=30, timeout_seconds=300),
        JobDefinition(ENRICH_JOB, enrich, retries=1, retry_delay_seconds=60, timeout_seconds=900),
    ]


def _schedules(container: Any) -> list[Schedule]:
    config: AutomationSettings = container.config()
    if not config.galaxy_url:
        return []
    return [Schedule(job=PRELOAD_JOB, cron=config.galaxy_preload_cron)]


async def startup(container: Any) -> None:
    """The memory profile installs the example types (SQL ones got them by migration);
    with a Galaxy URL, the preload job is queued (once per ten minutes across instances)."""
    try:
        if container.persistence_kind() == "memory":
            await container.install_examples()()
        if container.config().galaxy_url:
            bucket = int(time.time() // 600)
            await container.job_queue().enqueue(PRELOAD_JOB, {}, key=f"{PRELOAD_JOB}:{bucket}")
    except Exception:  # the app serves anyway; the schedule preloads later
        log.exception("automation start-up work failed")


class GalaxyUpstreamResource(resources.AsyncResource[Any]):
    async def init(self, config: AutomationSettings) -> Any:
        return HttpxGalaxyUpstream(
            config.galaxy_url,
            connect_timeout_seconds=config.galaxy_connect_timeout_seconds,
            read_timeout_seconds=config.galaxy_timeout_seconds,
            retries=config.galaxy_retries,
        )

    async def shutdown(self, resource: Any) -> None:
        await resource.aclose()


def _cache_settings(config: AutomationSettings) -> CacheSettings:
    return CacheSettings(
        ttl_seconds=config.galaxy_cache_ttl_seconds,
        keep_seconds=config.galaxy_stale_keep_seconds,
        retry_after_seconds=config.galaxy_retry_after_seconds,
        lock_seconds=max(2.0, (config.galaxy_retries + 1) * config.galaxy_timeout_seconds),
    )


def _sql_uow(database: Any, publisher: Any, signal: Any, read_only: bool = False) -> Any:
    from adapters.persistence.sqlalchemy.automation import SqlAutomationUnitOfWork

    return SqlAutomationUnitOfWork(database, publisher, read_only=read_only, outbox_signal=signal)


def _memory_uow(store: Any, publisher: Any, signal: Any) -> Any:
    return MemoryAutomationUnitOfWork(store, publisher, outbox_signal=signal)


class AutomationContainer(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    config = providers.Dependency(instance_of=AutomationSettings)

    clock = platform.clock
    cache = platform.cache
    database = platform.database
    persistence_kind = platform.persistence_kind
    job_queue = platform.job_queue

    _sql = providers.Factory(_sql_uow, database, platform.event_bus, platform.outbox_signal)
    _memory = providers.Factory(_memory_uow, database, platform.event_bus, platform.outbox_signal)
    uow = providers.Selector(persistence_kind, sqlite=_sql, postgres=_sql, memory=_memory)
    _sql_read = providers.Factory(
        _sql_uow, database, platform.event_bus, platform.outbox_signal, read_only=True
    )
    read_uow = providers.Selector(
        persistence_kind, sqlite=_sql_read, postgres=_sql_read, memory=_memory
    )

    pattern_engine = providers.Singleton(Re2PatternEngine)
    yaml_codec = providers.Singleton(PyYamlCodec)
    parse_limits = providers.Object(ParseLimits())
    validator = providers.Singleton(ValueValidator, pattern_engine, yaml_codec, parse_limits)

    galaxy_upstream = providers.Resource(GalaxyUpstreamResource, config)
    galaxy = providers.Singleton(
        CachedGalaxy, galaxy_upstream, cache, providers.Callable(_cache_settings, config)
    )
    popular = providers.Callable(lambda c: list(c.galaxy_popular_namespaces), config)

    # -- use cases -----------------------------------------------------------------------------
    create_playbook = providers.Factory(CreatePlaybook, uow, clock)
    list_playbooks = providers.Factory(ListPlaybooks, read_uow)
    get_playbook = providers.Factory(GetPlaybook, read_uow)
    update_playbook = providers.Factory(UpdatePlaybook, uow, clock)
    delete_playbook = providers.Factory(DeletePlaybook, uow, clock)
    export_playbook = providers.Factory(ExportPlaybook, read_uow, yaml_codec)

    list_variable_types = providers.Factory(ListVariableTypes, read_uow)
    admin_list_variable_types = providers.Factory(AdminListVariableTypes, read_uow)
    get_variable_type = providers.Factory(GetVariableType, read_uow)
    create_variable_type = providers.Factory(CreateVariableType, uow, clock, validator)
    replace_variable_type = providers.Factory(ReplaceVariableType, uow, clock, validator)
    delete_variable_type = providers.Factory(DeleteVariableType, uow, clock)
    validate_value = providers.Factory(ValidateValue, read_uow, validator)
    install_examples = providers.Factory(InstallExamples, uow, clock)

    browse_galaxy = providers.Factory(BrowseGalaxy, galaxy)
    preload_popular = providers.Factory(PreloadPopular, galaxy, popular)
    enrich_catalogue = providers.Factory(
        EnrichCatalogue,
        galaxy,
        popular,
        batch=providers.Callable(lambda c: c.galaxy_enrich_batch, config),
        per_minute=providers.Callable(lambda c: c.galaxy_enrich_per_minute, config),
    )


MODULE = ModuleSpec(
    name="automation",
    container=AutomationContainer,
    settings=AutomationSettings,
    tables="adapters.persistence.sqlalchemy.automation.tables",
    jobs=_jobs,
    schedules=_schedules,
    startup=startup,
)
