"""The worker side of a try-on (job ``jobs.tryon``, payload ``{"id"}``).

It reads both images as their owner through the media module's port, renders with the
TryOnProvider, stores the picture as a new private image of the owner and records the
outcome once (with ``jobs.job_completed.v1`` / ``jobs.job_failed.v1`` in that transaction).
Every stage is published on the owner's try-on channel (``tryon:<owner id>``, each event
naming its job) through the Broadcaster, so a socket served by another process sees it;
broadcasting is best effort (the stored job is the record).

A worker that dies after storing the picture and before recording the outcome leaves that
picture behind when the job runs again (the media port has no "store once" operation).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from uuid import UUID

from application.contracts.jobs import JobCompleted, JobFailed
from application.jobs.policy import JobsPolicy, tryon_channel
from application.jobs.ports import (
    ImageLibrary,
    JobCancelled,
    JobsUnitOfWork,
    ProviderFailed,
    ProviderUnavailable,
    TryOnProvider,
)
from application.jobs.worker import ProgressGate, begin, last_attempt
from application.shared.clock import Clock
from application.shared.jobs import JobContext
from application.shared.realtime import Broadcaster
from domain.jobs.status import JobStatus
from domain.jobs.tryon import TryOn
from domain.shared.access import Actor
from domain.shared.errors import DomainError

KIND = "tryon"
log = logging.getLogger("atelier.jobs")


async def announce(broadcaster: Broadcaster | None, job: TryOn, message: dict[str, Any]) -> None:
    if broadcaster is None:
        return
    try:
        await broadcaster.publish(tryon_channel(job.owner_id), {"job_id": str(job.id), **message})
    except Exception:  # best effort: the socket catches up from the stored state
        log.debug("could not broadcast a try-on event", exc_info=True)


class RunTryOn:
    def __init__(
        self,
        uow: JobsUnitOfWork,
        provider: TryOnProvider,
        images: ImageLibrary,
        broadcaster: Broadcaster | None,
        clock: Clock,
        policy: JobsPolicy,
    ) -> None:
        self._uow, self._provider, self._images = uow, provider, images
        self._broadcaster, self._clock, self._policy = broadcaster, clock, policy

    async def __call__(self, ctx: JobContext, job_id: UUID) -> dict[str, Any]:
        job = await begin(self._uow, KIND, job_id, self._clock.now())
        if job is None:
            return {"outcome": "skipped"}
        owner = Actor(user_id=job.owner_id, role=job.owner_role)
        gate = ProgressGate(ctx, self._save_progress(job_id), every=0.0)

        async def progress(percent: int, stage: str) -> None:
            await gate(percent, stage)
            await announce(
                self._broadcaster, job, {"type": "progress", "progress": percent, "stage": stage}
            )

        timeout = self._policy.tryon_timeout_seconds
        try:
            await progress(2, "loading")
            person = await self._images.read_for(owner, job.person_image_id)
            garment = await self._images.read_for(owner, job.garment_image_id)
            if person is None or garment is None:
                return await self._fail(job_id, "image_not_found: an input image is gone.")
            picture = await asyncio.wait_for(
                self._provider.render(person.content, garment.content, progress), timeout
            )
            await progress(95, "storing")
            result_id = await self._images.store_private(
                job.owner_id, picture, title="Virtual try-on"
            )
        except JobCancelled:
            return {"outcome": "cancelled"}
        except TimeoutError:
            return await self._fail(job_id, f"The try-on took longer than {timeout:g} s.")
        except (ProviderFailed, DomainError) as exc:
            passing = isinstance(exc, DomainError) and exc.code.endswith("unavailable")
            if passing and not last_attempt(ctx):
                raise  # storage or the media module did not answer: try again
            return await self._fail(job_id, f"The try-on failed: {exc}")
        except ProviderUnavailable as exc:
            if not last_attempt(ctx):
                raise
            return await self._fail(
                job_id,
                f"The try-on service is unavailable ({exc}); gave up after {ctx.attempt} attempts.",
            )
        return await self._finish(job_id, result_id)

    def _save_progress(self, job_id: UUID) -> Any:
        async def save(percent: int, stage: str | None) -> bool:
            async with self._uow as uow:
                job = await uow.tryons.get(job_id)
                if job is None or job.status is not JobStatus.RUNNING:
                    return False
                job.report(percent, stage or job.stage or "", self._clock.now())
                if not await uow.tryons.save(job, expected_status=JobStatus.RUNNING):
                    return False
                await uow.commit()
                return True

        return save

    async def _finish(self, job_id: UUID, result_id: UUID) -> dict[str, Any]:
        now = self._clock.now()
        async with self._uow as uow:
            job = await uow.tryons.get(job_id)
            if job is None or job.status is not JobStatus.RUNNING:
                return {"outcome": "skipped"}
            job.complete(result_id, now)
            if not await uow.tryons.save(job, expected_status=JobStatus.RUNNING):
                return {"outcome": "skipped"}
            uow.emit(
                JobCompleted(job_id=job.id, kind=KIND, owner_id=job.owner_id, result_id=result_id),
                occurred_at=now,
            )
            await uow.commit()
        await announce(
            self._broadcaster, job, {"type": "completed", "result_image_id": str(result_id)}
        )
        return {"outcome": "completed", "result_image_id": str(result_id)}

    async def _fail(self, job_id: UUID, error: str) -> dict[str, Any]:
        return await fail_tryon(self._uow, self._clock, job_id, error, self._broadcaster)


async def fail_tryon(
    uow_factory: JobsUnitOfWork,
    clock: Clock,
    job_id: UUID,
    error: str,
    broadcaster: Broadcaster | None = None,
) -> dict[str, Any]:
    now = clock.now()
    async with uow_factory as uow:
        job = await uow.tryons.get(job_id)
        if job is None or job.status.finished:
            return {"outcome": "skipped"}
        before = job.status
        job.fail(error, now)
        if not await uow.tryons.save(job, expected_status=before):
            return {"outcome": "skipped"}
        uow.emit(
            JobFailed(job_id=job.id, kind=KIND, owner_id=job.owner_id, error=job.error or error),
            occurred_at=now,
        )
        await uow.commit()
    with contextlib.suppress(Exception):
        await announce(broadcaster, job, {"type": "failed", "error": job.error or error})
    return {"outcome": "failed", "error": error}
