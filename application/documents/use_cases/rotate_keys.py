"""``atelier documents rotate-keys``: re-encrypt every encrypted document under the newest
key of the ring, one document per step, so it can be stopped and resumed at any point.

Per document: the old object is decrypted and re-encrypted into a *new* object (recorded
as pending first); its SHA-256 is checked against the record; then one transaction points
the record to the new object and key and hands the old object to the pending deletions;
then the old object is deleted. A stop anywhere leaves either the old state or the new one
(and at worst an object the sweeper removes). Documents already under the newest key are
skipped, so a second run picks up where the first stopped.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from application.documents.objects import (
    Digest,
    abandon,
    claim_failed,
    discard_object,
    write_object,
)
from application.documents.ports import (
    ENTITY_DOCUMENT,
    DocumentCipher,
    DocumentsUnitOfWork,
    PendingObject,
)
from application.documents.use_cases.get_content import read_plaintext
from application.shared.audit import record
from application.shared.clock import Clock
from application.shared.storage import BlobStorage
from domain.documents.document import Document, storage_key_for
from domain.documents.errors import DocumentCorrupted
from domain.shared.errors import NotFound

log = logging.getLogger("atelier.documents")
BATCH = 50


@dataclass(frozen=True, slots=True)
class RotationStep:
    document_id: UUID
    outcome: str
    """``rotated``, ``skipped`` (changed or deleted meanwhile), ``corrupted`` (its bytes
    do not decrypt or do not match its digest: left as it is), ``missing`` (no object)."""


class RotateDocumentKeys:
    def __init__(
        self,
        uow_factory: Callable[[], DocumentsUnitOfWork],
        storage: BlobStorage,
        cipher: DocumentCipher,
        clock: Clock,
        grace_seconds: int,
    ) -> None:
        self._uow_factory, self._storage = uow_factory, storage
        self._cipher, self._clock = cipher, clock
        self._grace = timedelta(seconds=grace_seconds)

    async def remaining(self) -> int:
        async with self._uow_factory() as uow:
            return await uow.documents.count_encrypted_not_under(self._cipher.active_key_id)

    async def batch(self, after: UUID | None) -> list[Document]:
        async with self._uow_factory() as uow:
            found = await uow.documents.encrypted_not_under(
                self._cipher.active_key_id, after=after, limit=BATCH
            )
        return list(found)

    async def rotate(self, document: Document) -> RotationStep:
        active = self._cipher.active_key_id
        new_key = storage_key_for(document.id, secrets.token_hex(8))
        digest = Digest()
        plain = digest.through(read_plaintext(self._storage, self._cipher, document))
        try:
            await write_object(
                self._uow_factory,
                self._storage,
                new_key,
                self._cipher.encrypt(plain, context=document.id.bytes),
                content_type="application/octet-stream",
                now=self._clock.now(),
                grace=self._grace,
                reason="rotate",
            )
        except DocumentCorrupted:
            return RotationStep(document.id, "corrupted")
        except NotFound:
            return RotationStep(document.id, "missing")
        if digest.sha256 != document.sha256:
            await abandon(self._uow_factory, self._storage, new_key)
            return RotationStep(document.id, "corrupted")
        now = self._clock.now()
        try:
            async with self._uow_factory() as uow:
                current = await uow.documents.get(document.id)
                if current is None or current.storage_key != document.storage_key:
                    await uow.rollback()
                    await abandon(self._uow_factory, self._storage, new_key)
                    return RotationStep(document.id, "skipped")
                if not await uow.pending_objects.remove(new_key):
                    raise claim_failed(new_key)
                loaded = current.version
                old_key, old_id = current.storage_key, current.key_id
                current.reencrypted(storage_key=new_key, key_id=active)
                await uow.documents.save(current, expected_version=loaded)
                await uow.pending_objects.add(
                    PendingObject(storage_key=old_key, reason="delete", sweep_after=now)
                )
                await record(
                    uow,
                    actor=None,
                    entity_type=ENTITY_DOCUMENT,
                    entity_id=current.id,
                    action="rotate_key",
                    changes={"key_id": (old_id, active)},
                    at=now,
                )
                await uow.commit()
        except BaseException:
            await abandon(self._uow_factory, self._storage, new_key)
            raise
        await discard_object(self._uow_factory, self._storage, old_key)
        return RotationStep(document.id, "rotated")
