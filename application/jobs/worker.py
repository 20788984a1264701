"""What both kinds of job share on the worker side: guarded starts and outcomes, throttled
progress that notices a cancellation, and the retry decision for provider outages.

A job runs at least once (a worker killed mid-job has its job run again). Its outcome is
recorded once: the row moves ``running -> completed|failed`` with a guarded save, and the
integration event is emitted in that same transaction, so a second run (or a late one)
finds the job finished and does nothing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from uuid import UUID

from application.jobs.ports import JobCancelled, JobsUnitOfWork
from application.shared.jobs import JobContext
from domain.jobs.status import JobStatus


class _Job(Protocol):
    id: UUID
    status: JobStatus


def repository(uow: JobsUnitOfWork, kind: str) -> Any:
    return uow.transcriptions if kind == "transcription" else uow.tryons


async def begin(uow_factory: JobsUnitOfWork, kind: str, job_id: UUID, now: Any) -> Any | None:
    """Move the job to ``running`` (a new attempt); None when it is gone or finished (a
    duplicate delivery, a cancelled or removed job): then there is nothing to do."""
    async with uow_factory as uow:
        repo = repository(uow, kind)
        job = await repo.get(job_id)
        if job is None or job.status.finished:
            return None
        before = job.status
        job.start(now)
        if not await repo.save(job, expected_status=before):
            return None
        await uow.commit()
        return job


class ProgressGate:
    """Writes progress at most every ``every`` seconds (and always at the first and the
    last report), tells the queue (a heartbeat), and raises :class:`JobCancelled` once the
    job was cancelled or removed."""

    def __init__(
        self,
        ctx: JobContext,
        save: Callable[[int, str | None], Awaitable[bool]],
        *,
        every: float,
    ) -> None:
        self._ctx, self._save, self._every = ctx, save, every
        self._last_write = 0.0
        self._last_value = -1

    async def __call__(self, percent: int, stage: str | None = None) -> None:
        now = time.monotonic()
        due = now - self._last_write >= self._every or percent >= 100 or self._last_value < 0
        if percent == self._last_value and stage is None:
            due = False
        self._last_value = percent
        await self._ctx.progress(percent)
        if due:
            self._last_write = now
            if not await self._save(percent, stage):
                raise JobCancelled()
        if await self._ctx.cancelled():
            raise JobCancelled()


def last_attempt(ctx: JobContext) -> bool:
    return ctx.attempt >= ctx.max_attempts
