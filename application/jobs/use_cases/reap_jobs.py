"""The periodic check (job ``jobs.reap``) that no job waits or runs forever.

For every queued or running job untouched for ``stale_after_seconds``, it asks the queue:

* the queue does not know it (it was never queued: the process died between the commit and
  the enqueue, or the queue lost it) and it is ``queued``: queue it again (same key);
* the queue gave up on it (``failed``: every attempt failed or timed out; ``cancelled``) or
  forgot it while it was ``running``: fail it with a readable error (and emit the event);
* it has been running longer than its timeout plus the queue's margin: fail it and cancel
  the queue job.

A job the queue still runs (a worker alive, its heartbeat beating) is left alone; one whose
worker died is picked up again by the queue itself (heartbeats / leases).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from application.jobs.policy import TRANSCRIBE_JOB, TRYON_JOB, JobsPolicy, queue_key
from application.jobs.ports import JobsUnitOfWork
from application.jobs.use_cases.run_transcription import fail_transcription
from application.jobs.use_cases.run_tryon import fail_tryon
from application.shared.clock import Clock
from application.shared.jobs import JobQueue, JobState
from domain.jobs.status import JobStatus

log = logging.getLogger("atelier.jobs")

BATCH = 200
#: Beyond its own timeout, how long a running job may go before it is failed for good.
MARGIN_SECONDS = 60.0


class ReapJobs:
    def __init__(
        self,
        uow: JobsUnitOfWork,
        queue: JobQueue,
        clock: Clock,
        policy: JobsPolicy,
        broadcaster: Any = None,
    ) -> None:
        self._uow, self._queue, self._clock, self._policy = uow, queue, clock, policy
        self._broadcaster = broadcaster

    async def __call__(self) -> dict[str, int]:
        now = self._clock.now()
        before = now - timedelta(seconds=self._policy.stale_after_seconds)
        async with self._uow as uow:
            transcriptions = list(await uow.transcriptions.stale(before, limit=BATCH))
            tryons = list(await uow.tryons.stale(before, limit=BATCH))
        counts = {"requeued": 0, "failed": 0}
        timeout = self._policy.transcription_timeout_seconds
        for t in transcriptions:
            await self._look(
                "transcription", TRANSCRIBE_JOB, t.id, t.status, t.started_at, timeout, counts
            )
        timeout = self._policy.tryon_timeout_seconds
        for j in tryons:
            await self._look("tryon", TRYON_JOB, j.id, j.status, j.started_at, timeout, counts)
        return counts

    async def _look(
        self,
        kind: str,
        name: str,
        job_id: UUID,
        status: JobStatus,
        started_at: Any,
        limit_seconds: float,
        counts: dict[str, int],
    ) -> None:
        key = queue_key(kind, job_id)
        now = self._clock.now()
        info = await self._queue.get(key)
        error: str | None = None
        if info is None:
            if status is JobStatus.QUEUED:
                await self._queue.enqueue(name, {"id": str(job_id)}, key=key)
                counts["requeued"] += 1
                return
            error = "The job was lost by the job queue; submit it again."
        elif info.state in (JobState.FAILED, JobState.CANCELLED, JobState.COMPLETED):
            detail = f" ({info.error})" if info.error else ""
            error = f"The job could not be run{detail}."
        elif (
            status is JobStatus.RUNNING
            and started_at is not None
            and (now - started_at).total_seconds()
            > limit_seconds * self._policy.provider_attempts + MARGIN_SECONDS
        ):
            error = f"The job ran longer than its time limit ({limit_seconds:g} s per attempt)."
            await self._queue.cancel(key)
        if error is None:
            return
        log.warning("reaping %s %s: %s", kind, job_id, error)
        if kind == "transcription":
            outcome = await fail_transcription(self._uow, self._clock, job_id, error)
        else:
            outcome = await fail_tryon(self._uow, self._clock, job_id, error, self._broadcaster)
        if outcome.get("outcome") == "failed":
            counts["failed"] += 1
