"""The worker side of a transcription (job ``jobs.transcribe``, payload ``{"id"}``).

``running`` with progress while the provider works, then ``completed`` (text, segments) or
``failed`` (a readable error) with ``jobs.job_completed.v1`` / ``jobs.job_failed.v1`` emitted
in the transaction of that change. A provider outage raises, so the queue retries the job
with backoff; on the last attempt the job fails with a clear error instead. An attempt that
runs past the timeout fails the job. A cancelled or removed job stops at its next progress
report and records nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from application.contracts.jobs import JobCompleted, JobFailed
from application.jobs.policy import JobsPolicy
from application.jobs.ports import (
    JobCancelled,
    JobsUnitOfWork,
    ProviderFailed,
    ProviderUnavailable,
    TranscriptionProvider,
)
from application.jobs.worker import ProgressGate, begin, last_attempt
from application.shared.clock import Clock
from application.shared.jobs import JobContext
from domain.jobs.status import JobStatus
from domain.jobs.transcription import Segment

KIND = "transcription"


class RunTranscription:
    def __init__(
        self,
        uow: JobsUnitOfWork,
        provider: TranscriptionProvider,
        clock: Clock,
        policy: JobsPolicy,
    ) -> None:
        self._uow, self._provider, self._clock, self._policy = uow, provider, clock, policy

    async def __call__(self, ctx: JobContext, job_id: UUID) -> dict[str, Any]:
        job = await begin(self._uow, KIND, job_id, self._clock.now())
        if job is None:
            return {"outcome": "skipped"}
        gate = ProgressGate(
            ctx, self._save_progress(job_id), every=self._policy.progress_every_seconds
        )
        timeout = self._policy.transcription_timeout_seconds
        try:
            result = await asyncio.wait_for(
                self._provider.transcribe(
                    job.source_url,
                    job.language,
                    gate,
                    resume=job.provider_ref,
                    remember=self._remember(job_id),
                ),
                timeout,
            )
        except JobCancelled:
            return {"outcome": "cancelled"}
        except TimeoutError:
            return await self._fail(job_id, f"The transcription took longer than {timeout:g} s.")
        except ProviderFailed as exc:
            return await self._fail(job_id, f"The transcription failed: {exc}")
        except ProviderUnavailable as exc:
            if not last_attempt(ctx):
                raise  # the queue retries it with backoff
            return await self._fail(
                job_id,
                f"The transcription service is unavailable ({exc}); gave up after "
                f"{ctx.attempt} attempts.",
            )
        return await self._finish(job_id, result.text, result.segments)

    def _remember(self, job_id: UUID) -> Any:
        async def remember(reference: str) -> None:
            async with self._uow as uow:
                job = await uow.transcriptions.get(job_id)
                if job is None or job.status is not JobStatus.RUNNING:
                    raise JobCancelled()
                job.provider_ref = reference[:200]
                if not await uow.transcriptions.save(job, expected_status=JobStatus.RUNNING):
                    raise JobCancelled()
                await uow.commit()

        return remember

    def _save_progress(self, job_id: UUID) -> Any:
        async def save(percent: int, _stage: str | None) -> bool:
            async with self._uow as uow:
                job = await uow.transcriptions.get(job_id)
                if job is None or job.status is not JobStatus.RUNNING:
                    return False
                job.report(percent, self._clock.now())
                if not await uow.transcriptions.save(job, expected_status=JobStatus.RUNNING):
                    return False
                await uow.commit()
                return True

        return save

    async def _finish(self, job_id: UUID, text: str, segments: list[Segment]) -> dict[str, Any]:
        now = self._clock.now()
        async with self._uow as uow:
            job = await uow.transcriptions.get(job_id)
            if job is None or job.status is not JobStatus.RUNNING:
                return {"outcome": "skipped"}
            job.complete(text, segments, now)
            if not await uow.transcriptions.save(job, expected_status=JobStatus.RUNNING):
                return {"outcome": "skipped"}
            uow.emit(JobCompleted(job_id=job.id, kind=KIND, owner_id=job.owner_id), occurred_at=now)
            await uow.commit()
        return {"outcome": "completed"}

    async def _fail(self, job_id: UUID, error: str) -> dict[str, Any]:
        return await fail_transcription(self._uow, self._clock, job_id, error)


async def fail_transcription(
    uow_factory: JobsUnitOfWork, clock: Clock, job_id: UUID, error: str
) -> dict[str, Any]:
    now = clock.now()
    async with uow_factory as uow:
        job = await uow.transcriptions.get(job_id)
        if job is None or job.status.finished:
            return {"outcome": "skipped"}
        before = job.status
        job.fail(error, now)
        if not await uow.transcriptions.save(job, expected_status=before):
            return {"outcome": "skipped"}
        uow.emit(
            JobFailed(job_id=job.id, kind=KIND, owner_id=job.owner_id, error=job.error or error),
            occurred_at=now,
        )
        await uow.commit()
    return {"outcome": "failed", "error": error}
