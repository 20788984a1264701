"""POST /tryon (and the socket's ``start``): both images must be readable by the caller
(422 ``image_not_found`` otherwise), then the job is stored and queued."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.jobs.policy import TRYON_JOB, JobsPolicy, queue_key
from application.jobs.ports import ENTITY_TRYON, ImageLibrary, JobsUnitOfWork
from application.jobs.quota import check_quota
from application.shared.audit import record
from application.shared.clock import Clock
from application.shared.jobs import JobQueue
from domain.jobs.status import JobStatus
from domain.jobs.tryon import TryOn
from domain.shared.access import Action, Actor, Resource, require
from domain.shared.errors import DependencyUnavailable, FieldError, ValidationFailed


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmitTryOnCommand:
    actor: Actor
    person_image_id: UUID
    garment_image_id: UUID


class SubmitTryOn:
    def __init__(
        self,
        uow: JobsUnitOfWork,
        queue: JobQueue,
        images: ImageLibrary,
        clock: Clock,
        policy: JobsPolicy,
    ) -> None:
        self._uow, self._queue, self._images = uow, queue, images
        self._clock, self._policy = clock, policy

    async def __call__(self, command: SubmitTryOnCommand) -> TryOn:
        actor = command.actor
        require(actor, Resource.JOBS, Action.CREATE)
        missing = [
            FieldError(name, "no image you can read has this id")
            for name, image_id in (
                ("person_image_id", command.person_image_id),
                ("garment_image_id", command.garment_image_id),
            )
            if await self._images.read_for(actor, image_id) is None
        ]
        if missing:
            raise ValidationFailed(
                "An input image does not exist or you may not read it.",
                code="image_not_found",
                errors=missing,
            )
        now = self._clock.now()
        job = TryOn.submit(
            owner_id=actor.user_id,
            owner_role=actor.role,
            person_image_id=command.person_image_id,
            garment_image_id=command.garment_image_id,
            now=now,
        )
        async with self._uow as uow:
            await check_quota(uow, actor.user_id, self._policy)
            await uow.tryons.add(job)
            await record(
                uow,
                actor=actor,
                entity_type=ENTITY_TRYON,
                entity_id=job.id,
                action="create",
                changes={
                    "person_image_id": (None, str(job.person_image_id)),
                    "garment_image_id": (None, str(job.garment_image_id)),
                },
                at=now,
            )
            await uow.commit()
        try:
            await self._queue.enqueue(
                TRYON_JOB, {"id": str(job.id)}, key=queue_key("tryon", job.id)
            )
        except Exception as exc:
            async with self._uow as uow:
                stored = await uow.tryons.get(job.id)
                if stored is not None and stored.status is JobStatus.QUEUED:
                    stored.fail("The job queue was not available; submit it again.", now)
                    await uow.tryons.save(stored, expected_status=JobStatus.QUEUED)
                    await uow.commit()
            raise DependencyUnavailable(
                "The job queue is not available; try again shortly.", code="queue_unavailable"
            ) from exc
        return job
