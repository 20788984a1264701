"""GET /tryon/{id}: owner-only (administrators see all)."""

from __future__ import annotations

from uuid import UUID

from application.jobs.ports import JobsUnitOfWork
from domain.jobs.tryon import TryOn
from domain.shared.access import Action, Actor, Resource, authorize
from domain.shared.errors import NotFound


class GetTryOn:
    def __init__(self, uow: JobsUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, actor: Actor, job_id: UUID) -> TryOn:
        async with self._uow as uow:
            job = await uow.tryons.get(job_id)
        if job is None:
            raise NotFound("No such try-on.")
        authorize(actor, Resource.JOBS, Action.READ, owns=job.owner_id == actor.user_id)
        return job
