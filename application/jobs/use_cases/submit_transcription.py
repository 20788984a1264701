"""POST /transcriptions: check the source, the quota, store the job, queue it (202)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from application.jobs.policy import TRANSCRIBE_JOB, JobsPolicy, queue_key
from application.jobs.ports import ENTITY_TRANSCRIPTION, HostResolver, JobsUnitOfWork
from application.jobs.quota import check_quota
from application.jobs.source_check import check_source_url
from application.shared.audit import record
from application.shared.clock import Clock
from application.shared.jobs import JobQueue
from domain.jobs.status import JobStatus
from domain.jobs.transcription import LANGUAGE_PATTERN, Transcription
from domain.shared.access import Action, Actor, Resource, require
from domain.shared.errors import DependencyUnavailable, FieldError, ValidationFailed

_LANGUAGE = re.compile(LANGUAGE_PATTERN)


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmitTranscriptionCommand:
    actor: Actor
    source_url: str
    language: str | None = None


class SubmitTranscription:
    def __init__(
        self,
        uow: JobsUnitOfWork,
        queue: JobQueue,
        resolver: HostResolver,
        clock: Clock,
        policy: JobsPolicy,
    ) -> None:
        self._uow, self._queue, self._resolver = uow, queue, resolver
        self._clock, self._policy = clock, policy

    async def __call__(self, command: SubmitTranscriptionCommand) -> Transcription:
        actor = command.actor
        require(actor, Resource.JOBS, Action.CREATE)
        language = command.language
        if language is not None and not _LANGUAGE.match(language):
            raise ValidationFailed(
                errors=[FieldError("language", "A language tag such as en, fr or pt-BR.")]
            )
        source = await check_source_url(
            command.source_url.strip(), self._resolver, self._policy.allow
        )
        now = self._clock.now()
        job = Transcription.submit(
            owner_id=actor.user_id, source_url=source.url, language=language, now=now
        )
        async with self._uow as uow:
            await check_quota(uow, actor.user_id, self._policy)
            await uow.transcriptions.add(job)
            await record(
                uow,
                actor=actor,
                entity_type=ENTITY_TRANSCRIPTION,
                entity_id=job.id,
                action="create",
                changes={"source_url": (None, source.url), "language": (None, language)},
                at=now,
            )
            await uow.commit()
        await enqueue_or_fail(self._uow, self._queue, self._clock, job)
        return job


async def enqueue_or_fail(
    uow: JobsUnitOfWork, queue: JobQueue, clock: Clock, job: Transcription
) -> None:
    """Queue the stored job; when the queue does not answer, the job is failed (it would
    otherwise wait for the reaper) and the caller gets a 503."""
    try:
        await queue.enqueue(
            TRANSCRIBE_JOB, {"id": str(job.id)}, key=queue_key("transcription", job.id)
        )
    except Exception as exc:
        async with uow:
            stored = await uow.transcriptions.get(job.id)
            if stored is not None and stored.status is JobStatus.QUEUED:
                stored.fail("The job queue was not available; submit it again.", clock.now())
                await uow.transcriptions.save(stored, expected_status=JobStatus.QUEUED)
                await uow.commit()
        raise DependencyUnavailable(
            "The job queue is not available; try again shortly.", code="queue_unavailable"
        ) from exc
