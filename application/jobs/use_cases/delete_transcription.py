"""DELETE /transcriptions/{id}: cancel it first when queued or running, then remove it.

The worker notices on its next progress report (the row is gone, so its guarded save fails)
or through the queue's cancellation, and stops without recording anything.
"""

from __future__ import annotations

import contextlib
import logging
from uuid import UUID

from application.jobs.policy import queue_key
from application.jobs.ports import ENTITY_TRANSCRIPTION, JobsUnitOfWork
from application.jobs.use_cases.read_transcriptions import load_transcription
from application.shared.audit import record
from application.shared.clock import Clock
from application.shared.jobs import JobQueue
from domain.shared.access import Action, Actor

log = logging.getLogger("atelier.jobs")


class DeleteTranscription:
    def __init__(self, uow: JobsUnitOfWork, queue: JobQueue, clock: Clock) -> None:
        self._uow, self._queue, self._clock = uow, queue, clock

    async def __call__(self, actor: Actor, job_id: UUID) -> None:
        now = self._clock.now()
        async with self._uow as uow:
            job = await load_transcription(uow, actor, job_id, Action.DELETE)
            was_active = job.status.active
            await uow.transcriptions.remove(job.id)
            await record(
                uow,
                actor=actor,
                entity_type=ENTITY_TRANSCRIPTION,
                entity_id=job.id,
                action="cancel_and_delete" if was_active else "delete",
                changes={"status": (job.status.value, None)},
                at=now,
            )
            await uow.commit()
        if was_active:
            # the row is gone already: a queue that does not answer only delays the stop
            with contextlib.suppress(Exception):
                await self._queue.cancel(queue_key("transcription", job.id))
