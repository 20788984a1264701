"""POST /documents: a streamed upload, typed from its bytes, hashed on the way, encrypted
when asked (or by default for invoices and certificates), linked to an intervention and/or
equipment the caller can read."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from uuid import UUID

from application.contracts.maintenance import InterventionAccess
from application.documents.commands import UploadDocumentCommand
from application.documents.objects import Digest, abandon, claim_failed, write_object
from application.documents.ports import ENTITY_DOCUMENT, DocumentCipher, DocumentsUnitOfWork
from application.documents.views import DocumentView
from application.shared.audit import created, record
from application.shared.clock import Clock
from application.shared.storage import BlobStorage
from domain.documents.document import (
    Document,
    clean_name,
    encrypt_by_default,
    storage_key_for,
)
from domain.documents.types import ALLOWED, sniff
from domain.shared.access import Action, Resource, Role, require
from domain.shared.errors import (
    FieldError,
    Forbidden,
    UnknownReference,
    UnsupportedMediaType,
    ValidationFailed,
)
from domain.shared.ids import new_id


class UploadDocument:
    def __init__(
        self,
        uow_factory: Callable[[], DocumentsUnitOfWork],
        storage: BlobStorage,
        cipher: DocumentCipher,
        access: InterventionAccess,
        clock: Clock,
        grace_seconds: int,
    ) -> None:
        self._uow_factory = uow_factory
        self._storage, self._cipher, self._access, self._clock = storage, cipher, access, clock
        self._grace = timedelta(seconds=grace_seconds)

    async def _links(self, command: UploadDocumentCommand) -> tuple[UUID | None, UUID | None]:
        actor = command.actor
        require(actor, Resource.DOCUMENTS, Action.CREATE)
        intervention_id, equipment_id = command.intervention_id, command.equipment_id
        if intervention_id is not None:
            ref = await self._access.readable_intervention(actor, intervention_id)
            if ref is None:
                raise UnknownReference("intervention_id", "intervention")
            if equipment_id is not None and equipment_id != ref.equipment_id:
                raise ValidationFailed(
                    errors=[FieldError("equipment_id", "is not the intervention's equipment")]
                )
            equipment_id = ref.equipment_id
        elif equipment_id is not None:
            if not await self._access.readable_equipment(actor, equipment_id):
                raise UnknownReference("equipment_id", "equipment")
        elif actor.role not in (Role.ADMIN, Role.MANAGER):
            raise Forbidden("Attach the document to an intervention or equipment you can read.")
        return intervention_id, equipment_id

    async def __call__(self, command: UploadDocumentCommand) -> DocumentView:
        intervention_id, equipment_id = await self._links(command)
        mime_type = sniff(command.head, filename=command.filename, declared=command.declared_type)
        if mime_type is None:
            raise UnsupportedMediaType(
                "This type of file is not accepted (judged from its content); "
                f"accepted: {', '.join(ALLOWED)}.",
                errors=[FieldError("file", "type not on the allow-list")],
            )
        encrypt = encrypt_by_default(command.kind) if command.encrypt is None else command.encrypt
        key_id = self._cipher.active_key_id if encrypt else None
        document_id = new_id()
        storage_key = storage_key_for(document_id, secrets.token_hex(8))
        digest = Digest()
        stream: AsyncIterator[bytes] = digest.through(command.chunks)
        if encrypt:
            stream = self._cipher.encrypt(stream, context=document_id.bytes)
        now = self._clock.now()
        await write_object(
            self._uow_factory,
            self._storage,
            storage_key,
            stream,
            content_type="application/octet-stream" if encrypt else mime_type,
            now=now,
            grace=self._grace,
        )
        document = Document(
            id=document_id,
            name=clean_name(command.filename),
            kind=command.kind,
            size=digest.size,
            mime_type=mime_type,
            sha256=digest.sha256,
            encrypted=encrypt,
            key_id=key_id,
            storage_key=storage_key,
            intervention_id=intervention_id,
            equipment_id=equipment_id,
            uploaded_by=command.actor.user_id,
            created_at=self._clock.now(),
        )
        try:
            async with self._uow_factory() as uow:
                if not await uow.pending_objects.remove(storage_key):
                    raise claim_failed(storage_key)
                await uow.documents.add(document)
                await record(
                    uow,
                    actor=command.actor,
                    entity_type=ENTITY_DOCUMENT,
                    entity_id=document.id,
                    action="upload",
                    changes=created(
                        {
                            "name": document.name,
                            "kind": document.kind.value,
                            "size": document.size,
                            "sha256": document.sha256,
                            "encrypted": document.encrypted,
                            "intervention_id": document.intervention_id,
                            "equipment_id": document.equipment_id,
                        }
                    ),
                    at=document.created_at,
                )
                await uow.commit()
        except BaseException:
            await abandon(self._uow_factory, self._storage, storage_key)
            raise
        return DocumentView.of(document)
