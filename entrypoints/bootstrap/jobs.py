"""The AI jobs module's part of the composition root: its settings section, its container
and its spec (``MODULE``, registered in ``registry.py``).

Images come through the media module's published port ``media.image_library``, wired by the
composition root (were the media module not installed, an in-memory twin of the port would
stand in, holding only the images stored through it). Providers are chosen by settings:
``offline`` (the default: no key, no network) or ``assemblyai`` for transcriptions,
``offline`` or ``http`` (a remote model service) for try-on.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

import msgspec
from dependency_injector import containers, providers

from adapters.jobs.memory_images import MemoryImageLibrary
from adapters.jobs.offline_transcription import OfflineTranscriptionProvider
from adapters.jobs.offline_tryon import OfflineTryOnProvider
from adapters.jobs.resolver import SystemResolver
from adapters.persistence.memory.jobs import MemoryJobsUnitOfWork
from adapters.queue.base import check_cron
from application.contracts.jobs import PUBLISHED
from application.jobs.policy import REAP_JOB, TRANSCRIBE_JOB, TRYON_JOB, JobsPolicy
from application.jobs.use_cases.delete_transcription import DeleteTranscription
from application.jobs.use_cases.get_tryon import GetTryOn
from application.jobs.use_cases.read_transcriptions import GetTranscription, ListTranscriptions
from application.jobs.use_cases.reap_jobs import ReapJobs
from application.jobs.use_cases.run_transcription import RunTranscription
from application.jobs.use_cases.run_tryon import RunTryOn
from application.jobs.use_cases.submit_transcription import SubmitTranscription
from application.jobs.use_cases.submit_tryon import SubmitTryOn
from application.shared.jobs import JobContext, JobDefinition, Json, Payload, Schedule
from domain.jobs.source_url import AllowList
from entrypoints.bootstrap.module import ModuleSpec
from entrypoints.bootstrap.registry import INSTALLED

#: Extra time the queue gives an attempt beyond the job's own timeout (the job fails itself
#: first, with a readable error).
QUEUE_TIMEOUT_MARGIN_SECONDS = 30.0


class JobsSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The AI jobs module's ``ATELIER_*`` variables."""

    jobs_max_active_per_user: int = 5
    jobs_transcription_provider: Literal["offline", "assemblyai"] = "offline"
    jobs_tryon_provider: Literal["offline", "http"] = "offline"
    jobs_source_allowlist: list[str] = []
    jobs_offline_realtime_factor: float = 0.01
    jobs_offline_stage_seconds: float = 0.3
    jobs_transcription_timeout_seconds: float = 600.0
    jobs_tryon_timeout_seconds: float = 120.0
    jobs_provider_attempts: int = 4
    jobs_reap_cron: str = "* * * * *"
    assemblyai_api_key: str = ""
    assemblyai_base_url: str = "https://api.assemblyai.com"
    tryon_service_url: str = ""
    tryon_api_key: str = ""

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not 1 <= self.jobs_max_active_per_user <= 1000:
            problems.append("ATELIER_JOBS_MAX_ACTIVE_PER_USER must be between 1 and 1000")
        if not 0 <= self.jobs_offline_realtime_factor <= 10:
            problems.append("ATELIER_JOBS_OFFLINE_REALTIME_FACTOR must be between 0 and 10")
        if not 0 <= self.jobs_offline_stage_seconds <= 60:
            problems.append("ATELIER_JOBS_OFFLINE_STAGE_SECONDS must be between 0 and 60")
        if not 1 <= self.jobs_transcription_timeout_seconds <= 6 * 3600:
            problems.append(
                "ATELIER_JOBS_TRANSCRIPTION_TIMEOUT_SECONDS must be between 1 and 21600"
            )
        if not 1 <= self.jobs_tryon_timeout_seconds <= 3600:
            problems.append("ATELIER_JOBS_TRYON_TIMEOUT_SECONDS must be between 1 and 3600")
        if not 1 <= self.jobs_provider_attempts <= 20:
            problems.append("ATELIER_JOBS_PROVIDER_ATTEMPTS must be between 1 and 20")
        if self.jobs_transcription_provider == "assemblyai" and not self.assemblyai_api_key:
            problems.append(
                "ATELIER_ASSEMBLYAI_API_KEY is required with "
                "ATELIER_JOBS_TRANSCRIPTION_PROVIDER=assemblyai"
            )
        if self.jobs_tryon_provider == "http" and not self.tryon_service_url.startswith(
            ("http://", "https://")
        ):
            problems.append(
                "ATELIER_TRYON_SERVICE_URL (an http or https URL) is required with "
                "ATELIER_JOBS_TRYON_PROVIDER=http"
            )
        try:
            check_cron(self.jobs_reap_cron)
        except ValueError as exc:
            problems.append(f"ATELIER_JOBS_REAP_CRON: {exc}")
        if problems:
            raise msgspec.ValidationError("; ".join(problems))


def _policy(config: JobsSettings) -> JobsPolicy:
    return JobsPolicy(
        max_active_per_user=config.jobs_max_active_per_user,
        transcription_timeout_seconds=config.jobs_transcription_timeout_seconds,
        tryon_timeout_seconds=config.jobs_tryon_timeout_seconds,
        provider_attempts=config.jobs_provider_attempts,
        allow=AllowList.parse(config.jobs_source_allowlist),
    )


def _transcription_provider(config: JobsSettings) -> Any:
    if config.jobs_transcription_provider == "assemblyai":
        from adapters.jobs.assemblyai import AssemblyAiTranscriptionProvider

        return AssemblyAiTranscriptionProvider(
            api_key=config.assemblyai_api_key, base_url=config.assemblyai_base_url
        )
    return OfflineTranscriptionProvider(realtime_factor=config.jobs_offline_realtime_factor)


def _tryon_provider(config: JobsSettings) -> Any:
    if config.jobs_tryon_provider == "http":
        from adapters.jobs.http_tryon import HttpTryOnProvider

        return HttpTryOnProvider(base_url=config.tryon_service_url, api_key=config.tryon_api_key)
    return OfflineTryOnProvider(stage_seconds=config.jobs_offline_stage_seconds)


def _sql_uow(database: Any, publisher: Any, signal: Any, read_only: bool = False) -> Any:
    from adapters.persistence.sqlalchemy.jobs import SqlJobsUnitOfWork

    return SqlJobsUnitOfWork(database, publisher, read_only=read_only, outbox_signal=signal)


def _memory_uow(store: Any, publisher: Any, signal: Any) -> Any:
    return MemoryJobsUnitOfWork(store, publisher, outbox_signal=signal)


class JobsContainer(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    config = providers.Dependency(instance_of=JobsSettings)
    image_library: providers.Dependency[Any] = providers.Dependency(
        default=providers.Singleton(MemoryImageLibrary)
    )
    """media.image_library, wired by the composition root (an in-memory twin until then)."""

    clock = platform.clock
    event_bus = platform.event_bus
    database = platform.database
    persistence_kind = platform.persistence_kind
    job_queue = platform.job_queue
    broadcaster = platform.broadcaster

    policy = providers.Singleton(_policy, config)
    resolver = providers.Singleton(SystemResolver)
    transcription_provider = providers.Singleton(_transcription_provider, config)
    tryon_provider = providers.Singleton(_tryon_provider, config)

    _sql = providers.Factory(_sql_uow, database, event_bus, platform.outbox_signal)
    _memory = providers.Factory(_memory_uow, database, event_bus, platform.outbox_signal)
    uow = providers.Selector(persistence_kind, sqlite=_sql, postgres=_sql, memory=_memory)
    _sql_read = providers.Factory(
        _sql_uow, database, event_bus, platform.outbox_signal, read_only=True
    )
    read_uow = providers.Selector(
        persistence_kind, sqlite=_sql_read, postgres=_sql_read, memory=_memory
    )

    # -- use cases -----------------------------------------------------------------------------
    submit_transcription = providers.Factory(
        SubmitTranscription, uow, job_queue, resolver, clock, policy
    )
    list_transcriptions = providers.Factory(ListTranscriptions, read_uow)
    get_transcription = providers.Factory(GetTranscription, read_uow)
    delete_transcription = providers.Factory(DeleteTranscription, uow, job_queue, clock)
    run_transcription = providers.Factory(
        RunTranscription, uow, transcription_provider, clock, policy
    )
    submit_tryon = providers.Factory(SubmitTryOn, uow, job_queue, image_library, clock, policy)
    get_tryon = providers.Factory(GetTryOn, read_uow)
    run_tryon = providers.Factory(
        RunTryOn, uow, tryon_provider, image_library, broadcaster, clock, policy
    )
    reap_jobs = providers.Factory(ReapJobs, uow, job_queue, clock, policy, broadcaster)


def _jobs(container: Any) -> list[JobDefinition]:
    policy: JobsPolicy = container.policy()

    async def transcribe(ctx: JobContext, payload: Payload) -> Json:
        return await container.run_transcription()(ctx, UUID(str(payload["id"])))

    async def tryon(ctx: JobContext, payload: Payload) -> Json:
        return await container.run_tryon()(ctx, UUID(str(payload["id"])))

    async def reap(ctx: JobContext, payload: Payload) -> Json:
        return await container.reap_jobs()()

    retries = policy.provider_attempts - 1
    return [
        JobDefinition(
            TRANSCRIBE_JOB,
            transcribe,
            retries=retries,
            retry_delay_seconds=policy.retry_delay_seconds,
            max_retry_delay_seconds=120.0,
            timeout_seconds=policy.transcription_timeout_seconds + QUEUE_TIMEOUT_MARGIN_SECONDS,
        ),
        JobDefinition(
            TRYON_JOB,
            tryon,
            retries=retries,
            retry_delay_seconds=policy.retry_delay_seconds,
            max_retry_delay_seconds=60.0,
            timeout_seconds=policy.tryon_timeout_seconds + QUEUE_TIMEOUT_MARGIN_SECONDS,
        ),
        JobDefinition(REAP_JOB, reap, retries=0, timeout_seconds=120.0),
    ]


def _schedules(container: Any) -> list[Schedule]:
    return [Schedule(job=REAP_JOB, cron=container.config().jobs_reap_cron)]


MODULE = ModuleSpec(
    name="jobs",
    container=JobsContainer,
    settings=JobsSettings,
    tables="adapters.persistence.sqlalchemy.jobs.tables",
    publishes=PUBLISHED,
    imports={"image_library": "media.image_library"} if "media" in INSTALLED else {},
    # creating a job costs provider time: 10 a minute per user (ATELIER_RATE_LIMITS overrides)
    rate_limits={"jobs_create": (10, 60)},
    jobs=_jobs,
    schedules=_schedules,
)
