"""A process's background work: the job queue's worker and the outbox relay.

``Background`` runs inside ``atelier serve`` (``ATELIER_JOBS_IN_APP=true``, always on the
embedded profile) and in ``atelier worker``. The relay hands committed integration events to
the queue (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so relays of several processes share the
work); on PostgreSQL it also listens for ``NOTIFY atelier_outbox`` to wake at each commit of
any process. The worker runs every module's jobs and schedules.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from adapters.events.signal import PostgresNotifications
from application.shared.relay import OutboxRelay
from entrypoints.bootstrap.background import build_worker
from entrypoints.worker.relay import RelayRunner

log = logging.getLogger("atelier.jobs")


class Background:
    def __init__(self, container: Any, *, observer: Any = None, relay: bool = True) -> None:
        self._container = container
        self._observer = observer
        self._with_relay = relay
        self._stop = asyncio.Event()
        self._worker: Any = None
        self._relay_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._worker is not None:
            return
        container = self._container
        settings = container.settings()
        queue = container.job_queue()
        self._worker = build_worker(settings, queue, self._observer)
        await self._worker.start()
        if not self._with_relay:
            return
        self._stop.clear()
        relay = OutboxRelay(
            container.outbox(),
            queue,
            container.event_catalogue(),
            container.subscriptions(),
            batch_size=settings.relay_batch_size,
        )
        notifications = None
        if settings.persistence_kind == "postgres":
            notifications = PostgresNotifications(
                settings.effective_database_url, container.outbox_signal()
            )
        runner = RelayRunner(
            relay,
            container.outbox_signal(),
            poll_seconds=settings.relay_poll_seconds,
            notifications=notifications,
        )
        self._relay_task = asyncio.create_task(runner.run(self._stop), name="atelier-relay")

    async def stop(self) -> None:
        self._stop.set()
        if self._relay_task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._relay_task, timeout=5)
            self._relay_task = None
        if self._worker is not None:
            worker, self._worker = self._worker, None
            await worker.stop()
