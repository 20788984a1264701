"""DELETE /documents/{id}: the record goes at once; its object is handed to a retried job.

In one transaction the record is deleted and its storage key recorded as pending
(``reason=delete``, due now), so the object is never left without somebody to delete it:
the ``documents.delete_object`` job normally does it within seconds (with retries), and
the sweeper catches anything the job could not do (a queue that was down, retries
exhausted).
"""

from __future__ import annotations

import logging

from application.contracts.maintenance import InterventionAccess
from application.documents.commands import DeleteDocumentCommand
from application.documents.guards import check_document
from application.documents.ports import ENTITY_DOCUMENT, DocumentsUnitOfWork, PendingObject
from application.shared.audit import record
from application.shared.clock import Clock
from application.shared.jobs import JobQueue
from domain.shared.access import Action
from domain.shared.errors import NotFound

log = logging.getLogger("atelier.documents")

DELETE_OBJECT_JOB = "documents.delete_object"


class DeleteDocument:
    def __init__(
        self,
        uow: DocumentsUnitOfWork,
        access: InterventionAccess,
        queue: JobQueue,
        clock: Clock,
    ) -> None:
        self._uow, self._access, self._queue, self._clock = uow, access, queue, clock

    async def __call__(self, command: DeleteDocumentCommand) -> None:
        now = self._clock.now()
        async with self._uow as uow:
            found = await uow.documents.get(command.document_id)
        document = await check_document(self._access, command.actor, found, Action.DELETE)
        document.check_version(command.expected_version)
        async with self._uow as uow:
            if not await uow.documents.remove(document.id):
                raise NotFound("No such document.")
            await uow.pending_objects.add(
                PendingObject(storage_key=document.storage_key, reason="delete", sweep_after=now)
            )
            await record(
                uow,
                actor=command.actor,
                entity_type=ENTITY_DOCUMENT,
                entity_id=document.id,
                action="delete",
                changes={"name": (document.name, None), "sha256": (document.sha256, None)},
                at=now,
            )
            await uow.commit()
        try:
            await self._queue.enqueue(
                DELETE_OBJECT_JOB,
                {"storage_key": document.storage_key},
                key=f"{DELETE_OBJECT_JOB}:{document.storage_key}",
            )
        except Exception:  # the pending row stays: the sweeper deletes the object
            log.warning("could not enqueue the deletion of %s", document.storage_key, exc_info=True)
