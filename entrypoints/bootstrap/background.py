"""The platform's background work: the job registry, the event backbone's jobs, the queue.

``job_registry(container)`` collects every job definition and schedule: the platform's own
(``events.deliver``: one subscriber for one event; ``events.purge``: the daily purge of
published events and old inbox records) and each installed module's (``ModuleSpec.jobs``,
``ModuleSpec.schedules``). ``build_queue`` makes the configured adapter (SAQ on Redis, the
SQLite-backed queue, the in-memory one) over that registry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from adapters.queue.base import Registry
from application.shared.delivery import DeliverEvent, Handler
from application.shared.integration import DELIVER_JOB, Subscription
from application.shared.jobs import JobContext, JobDefinition, Json, Payload, Schedule
from entrypoints.bootstrap.settings import Settings

PURGE_JOB = "events.purge"
PURGE_CRON = "17 3 * * *"


def handler_for(container: Any, subscription: Subscription) -> Handler:
    """The handler use case of a subscription: ``<module>.<reaction>`` names its module."""
    module = subscription.handler.split(".", 1)[0]
    handler: Handler = getattr(getattr(container, module), subscription.use_case)()
    return handler


def _platform_jobs(container: Any) -> list[JobDefinition]:
    settings: Settings = container.settings()

    async def deliver(ctx: JobContext, payload: Payload) -> Json:
        use_case = DeliverEvent(
            container.event_codec(),
            container.subscriptions(),
            lambda subscription: handler_for(container, subscription),
            container.dead_letters(),
            container.job_queue(),
            container.clock(),
        )
        return await use_case(ctx, payload)

    async def purge(ctx: JobContext, payload: Payload) -> Json:
        before = container.clock().now() - timedelta(days=settings.outbox_retention_days)
        return {"purged": await container.outbox().purge(before)}

    return [
        JobDefinition(
            DELIVER_JOB,
            deliver,
            retries=settings.event_delivery_retries,
            retry_delay_seconds=1.0,
            max_retry_delay_seconds=300.0,
            timeout_seconds=120.0,
        ),
        JobDefinition(PURGE_JOB, purge, retries=3, retry_delay_seconds=60.0),
    ]


def job_registry(container: Any, specs: Sequence[Any]) -> Registry:
    definitions = _platform_jobs(container)
    schedules: list[Schedule] = [Schedule(job=PURGE_JOB, cron=PURGE_CRON)]
    for spec in specs:
        module = getattr(container, spec.name)
        if spec.jobs is not None:
            definitions.extend(spec.jobs(module))
        schedules.extend(spec.schedules(module) if callable(spec.schedules) else spec.schedules)
    return Registry(definitions, schedules)


def build_queue(settings: Settings, registry: Registry) -> Any:
    kind = settings.queue_kind
    if kind == "saq":
        from adapters.queue.saq import SaqJobQueue

        return SaqJobQueue(
            settings.redis_url,
            registry,
            name=settings.effective_queue_name,
            heartbeat_seconds=settings.worker_heartbeat_seconds,
        )
    from adapters.queue.local import LocalJobQueue, MemoryJobStore, SqliteJobStore

    if kind == "sqlite":
        return LocalJobQueue(SqliteJobStore(settings.effective_queue_path), registry)
    return LocalJobQueue(MemoryJobStore(), registry)


def build_worker(settings: Settings, queue: Any, observer: Any = None) -> Any:
    """The worker of ``queue`` with the settings' concurrency."""
    if settings.queue_kind == "saq":
        return queue.worker(
            concurrency=settings.worker_concurrency,
            observer=observer,
            sweep_seconds=settings.worker_sweep_seconds,
        )
    from adapters.queue.local import LocalWorker

    return LocalWorker(queue, concurrency=settings.worker_concurrency, observer=observer)
