"""GET /transcriptions and GET /transcriptions/{id}: owner-only, administrators see all."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.jobs.ports import JobFilters, JobsUnitOfWork
from application.shared.pagination import Page, PageRequest
from domain.jobs.status import JobStatus
from domain.jobs.transcription import Transcription
from domain.shared.access import Action, Actor, Resource, Scope, authorize, require
from domain.shared.errors import NotFound


@dataclass(frozen=True, slots=True, kw_only=True)
class ListTranscriptionsQuery:
    actor: Actor
    status: JobStatus | None = None
    limit: int | None = None
    offset: int | None = None


class ListTranscriptions:
    def __init__(self, uow: JobsUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: ListTranscriptionsQuery) -> Page[Transcription]:
        scope = require(query.actor, Resource.JOBS, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        owner = None if scope is Scope.ALL else query.actor.user_id
        async with self._uow as uow:
            items, total = await uow.transcriptions.list(
                JobFilters(owner_id=owner, status=query.status),
                limit=window.limit,
                offset=window.offset,
            )
        return Page(items=list(items), total=total, limit=window.limit, offset=window.offset)


async def load_transcription(
    uow: JobsUnitOfWork, actor: Actor, job_id: UUID, action: Action
) -> Transcription:
    job = await uow.transcriptions.get(job_id)
    if job is None:
        raise NotFound("No such transcription.")
    authorize(actor, Resource.JOBS, action, owns=job.owner_id == actor.user_id)
    return job


class GetTranscription:
    def __init__(self, uow: JobsUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, actor: Actor, job_id: UUID) -> Transcription:
        async with self._uow as uow:
            return await load_transcription(uow, actor, job_id, Action.READ)
