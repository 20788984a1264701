"""Who sees which document (the access matrix, ``documents`` row), in one place.

Documents follow their intervention: staff read every document; technicians read every
document too (they read every intervention); a client reads the documents of interventions
on equipment they own, and nothing else. Hidden documents are ``NotFound``; forbidden
actions on visible ones ``Forbidden``.
"""

from __future__ import annotations

from uuid import UUID

from application.contracts.maintenance import InterventionAccess
from application.documents.ports import DocumentsUnitOfWork
from domain.documents.document import Document
from domain.shared.access import Action, Actor, Resource, Scope, allowed
from domain.shared.errors import Forbidden, NotFound


async def can_read(access: InterventionAccess, actor: Actor, document: Document) -> bool:
    scope = allowed(actor, Resource.DOCUMENTS, Action.READ)
    if scope is Scope.ALL:
        return True
    if scope is Scope.NONE or document.intervention_id is None:
        return False
    return await access.readable_intervention(actor, document.intervention_id) is not None


async def load_document(
    uow: DocumentsUnitOfWork,
    access: InterventionAccess,
    actor: Actor,
    document_id: UUID,
    action: Action = Action.READ,
) -> Document:
    """Read the document (in its own short transaction of ``uow``, which must not be open),
    then ask maintenance whether ``actor`` may see it: one connection at a time."""
    async with uow:
        document = await uow.documents.get(document_id)
    return await check_document(access, actor, document, action)


async def check_document(
    access: InterventionAccess,
    actor: Actor,
    document: Document | None,
    action: Action = Action.READ,
) -> Document:
    if document is None or not await can_read(access, actor, document):
        raise NotFound("No such document.")
    if action is not Action.READ and not allowed(actor, Resource.DOCUMENTS, action).permits(
        owns=True
    ):
        raise Forbidden(f"You may not {action.value} this document.")
    return document
