"""The documents use cases on the memory twins, with a storage that fails on purpose:
no object outlives its record, no record points to nothing."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from adapters.clock import FixedClock
from adapters.persistence.memory.documents import PENDING, MemoryDocumentsUnitOfWork
from adapters.persistence.memory.store import MemoryStore
from adapters.queue.base import Registry
from adapters.queue.local import LocalJobQueue, LocalWorker, MemoryJobStore
from adapters.security.document_cipher import AesGcmDocumentCipher
from adapters.security.url_signer import HmacUrlSigner
from adapters.storage.memory import MemoryBlobStorage
from application.contracts.maintenance import InterventionAccess, InterventionRef
from application.documents.commands import (
    DeleteDocumentCommand,
    DocumentContentQuery,
    DocumentQuery,
    ListDocumentsQuery,
    SweepCommand,
    UploadDocumentCommand,
)
from application.documents.ports import DocumentFilters
from application.documents.use_cases.delete_document import DELETE_OBJECT_JOB, DeleteDocument
from application.documents.use_cases.document_link import GetDocumentLink
from application.documents.use_cases.get_content import GetDocumentContent
from application.documents.use_cases.list_documents import ListDocuments
from application.documents.use_cases.rotate_keys import RotateDocumentKeys
from application.documents.use_cases.sweep_objects import DeleteObject, SweepObjects
from application.documents.use_cases.upload_document import UploadDocument
from application.documents.use_cases.verify_document import VerifyDocument
from application.shared.jobs import JobDefinition
from application.shared.pagination import Sort
from domain.documents.document import DocumentKind
from domain.documents.errors import EncryptedDocument
from domain.shared.access import Actor, Role
from domain.shared.errors import (
    DependencyUnavailable,
    Forbidden,
    NotFound,
    UnknownReference,
    UnsupportedMediaType,
)
from tests.support.flaky_storage import FlakyStorage

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
GRACE = 3600
PDF = b"%PDF-1.7\n" + os.urandom(300_000)


@dataclass
class Workshop(InterventionAccess):
    """The maintenance module's view, as the published port answers it (an in-memory twin)."""

    interventions: dict[UUID, tuple[UUID, UUID | None]] = field(default_factory=dict)
    """intervention id -> (equipment id, owner of the equipment)."""

    def add(self, owner: UUID | None = None) -> InterventionRef:
        ref = InterventionRef(id=uuid4(), equipment_id=uuid4(), title="Leak")
        self.interventions[ref.id] = (ref.equipment_id, owner)
        return ref

    def _visible(self, actor: Actor, owner: UUID | None) -> bool:
        return actor.role is not Role.CLIENT or owner == actor.user_id

    async def intervention(self, intervention_id: UUID) -> InterventionRef | None:
        found = self.interventions.get(intervention_id)
        return None if found is None else InterventionRef(
            id=intervention_id, equipment_id=found[0], title="Leak"
        )  # fmt: skip

    async def readable_intervention(
        self, actor: Actor, intervention_id: UUID
    ) -> InterventionRef | None:
        found = self.interventions.get(intervention_id)
        if found is None or not self._visible(actor, found[1]):
            return None
        return InterventionRef(id=intervention_id, equipment_id=found[0], title="Leak")

    async def readable_equipment(self, actor: Actor, equipment_id: UUID) -> bool:
        return any(
            e == equipment_id and self._visible(actor, o) for e, o in self.interventions.values()
        )

    async def readable_interventions(self, actor: Actor) -> frozenset[UUID] | None:
        if actor.role is not Role.CLIENT:
            return None
        return frozenset(i for i, (_, o) in self.interventions.items() if o == actor.user_id)


def actor(role: Role) -> Actor:
    return Actor(user_id=uuid4(), role=role)


async def _stream(data: bytes, piece: int = 65_536) -> AsyncIterator[bytes]:
    for start in range(0, len(data), piece):
        yield data[start : start + piece]


class World:
    def __init__(self) -> None:
        self.store = MemoryStore()
        self.storage = FlakyStorage(MemoryBlobStorage())
        self.k1 = os.urandom(32)
        self.cipher = AesGcmDocumentCipher({"k1": self.k1})
        self.access = Workshop()
        self.clock = FixedClock(NOW)
        self.manager = actor(Role.MANAGER)
        self.tech = actor(Role.TECHNICIAN)
        self.client = actor(Role.CLIENT)

    def uow(self) -> MemoryDocumentsUnitOfWork:
        return MemoryDocumentsUnitOfWork(self.store)

    def upload_use_case(self) -> UploadDocument:
        return UploadDocument(self.uow, self.storage, self.cipher, self.access, self.clock, GRACE)

    async def upload(self, who: Actor, data: bytes = PDF, **kw: Any) -> Any:
        kw.setdefault("kind", DocumentKind.REPORT)
        return await self.upload_use_case()(
            UploadDocumentCommand(
                actor=who, filename="r.pdf", declared_type=None, head=data[:8192],
                chunks=_stream(data), **kw,
            )
        )  # fmt: skip

    def objects(self) -> dict[str, Any]:
        return dict(self.storage.inner._objects)  # type: ignore[attr-defined]

    def pending(self) -> Sequence[str]:
        return sorted(self.store.tables.get(PENDING, {}))

    def sweeper(self) -> SweepObjects:
        return SweepObjects(self.uow, self.storage, self.clock)


@pytest.fixture
def world() -> World:
    return World()


async def test_upload_stores_hashes_and_encrypts_by_kind(world: World) -> None:
    job = world.access.add()
    invoice = await world.upload(world.tech, kind=DocumentKind.INVOICE, intervention_id=job.id)
    photo = await world.upload(world.tech, kind=DocumentKind.PHOTO, intervention_id=job.id)
    plain_invoice = await world.upload(
        world.manager, kind=DocumentKind.INVOICE, encrypt=False, intervention_id=job.id
    )
    assert (invoice.encrypted, photo.encrypted, plain_invoice.encrypted) == (True, False, False)
    for view in (invoice, photo, plain_invoice):
        assert view.sha256 == hashlib.sha256(PDF).hexdigest()
        assert view.size == len(PDF)
        assert view.equipment_id == job.equipment_id
    stored = world.objects()
    assert len(stored) == 3
    assert PDF not in [data for data, _ in stored.values() if len(data) != len(PDF)]
    assert world.pending() == []


async def test_who_may_upload(world: World) -> None:
    mine = world.access.add(owner=world.client.user_id)
    with pytest.raises(Forbidden):
        await world.upload(world.client, intervention_id=mine.id)
    with pytest.raises(Forbidden):  # technicians attach documents to something
        await world.upload(world.tech)
    with pytest.raises(UnknownReference):
        await world.upload(world.tech, intervention_id=uuid4())
    with pytest.raises(UnsupportedMediaType):
        await world.upload(world.manager, data=b"MZ\x90\x00" + bytes(100))
    loose = await world.upload(world.manager)
    assert loose.intervention_id is None
    assert world.pending() == []
    assert len(world.objects()) == 1


async def test_storage_failing_mid_upload_leaves_nothing(world: World) -> None:
    job = world.access.add()
    world.storage.fail_put_after = 100_000
    with pytest.raises(DependencyUnavailable):
        await world.upload(world.tech, intervention_id=job.id, kind=DocumentKind.INVOICE)
    assert world.storage.writes  # it did write (a partial object) before failing
    assert world.objects() == {}
    assert world.pending() == []


async def test_when_storage_cannot_even_delete_the_sweeper_does_later(world: World) -> None:
    job = world.access.add()
    world.storage.fail_put_after = 100_000
    world.storage.fail_deletes = True
    with pytest.raises(DependencyUnavailable):
        await world.upload(world.tech, intervention_id=job.id)
    assert len(world.objects()) == 1  # the partial object, recorded as pending
    assert len(world.pending()) == 1
    world.storage.fail_deletes = False
    early = await world.sweeper()(SweepCommand())
    assert early.deleted == 0  # an upload may still be running: the grace period protects it
    world.clock.advance(seconds=GRACE + 1)
    swept = await world.sweeper()(SweepCommand())
    assert (swept.deleted, swept.failed) == (1, 0)
    assert world.objects() == {}
    assert world.pending() == []


async def test_a_failing_record_write_removes_the_written_object(world: World) -> None:
    job = world.access.add()

    class BrokenUow(MemoryDocumentsUnitOfWork):
        def _open_repositories(self) -> None:
            super()._open_repositories()

            async def refuse(document: Any) -> None:
                raise DependencyUnavailable("The database went away.", code="database_unavailable")

            self.documents.add = refuse  # type: ignore[method-assign]

    use_case = UploadDocument(
        lambda: BrokenUow(world.store), world.storage, world.cipher, world.access, world.clock,
        GRACE,
    )  # fmt: skip
    with pytest.raises(DependencyUnavailable):
        await use_case(
            UploadDocumentCommand(
                actor=world.tech, kind=DocumentKind.PHOTO, filename="p.pdf", declared_type=None,
                head=PDF[:8192], chunks=_stream(PDF), intervention_id=job.id,
            )
        )  # fmt: skip
    assert world.storage.writes
    assert world.objects() == {}
    assert world.pending() == []


async def test_an_upload_outlasting_the_grace_period_is_abandoned(world: World) -> None:
    job = world.access.add()
    gate = asyncio.Event()

    async def slow() -> AsyncIterator[bytes]:
        yield PDF[:8192]
        await gate.wait()
        yield PDF[8192:]

    upload = asyncio.create_task(
        world.upload_use_case()(
            UploadDocumentCommand(
                actor=world.tech, kind=DocumentKind.REPORT, filename="r.pdf", declared_type=None,
                head=PDF[:8192], chunks=slow(), intervention_id=job.id,
            )
        )
    )  # fmt: skip
    for _ in range(1000):  # until the upload has recorded its object as pending
        if world.pending():
            break
        await asyncio.sleep(0)
    world.clock.advance(seconds=GRACE + 1)
    await world.sweeper()(SweepCommand())  # claims the pending row of the running upload
    gate.set()
    with pytest.raises(DependencyUnavailable):
        await upload
    assert world.objects() == {}
    async with world.uow() as uow:
        _listed, total = await uow.documents.list(
            DocumentFilters(), limit=10, offset=0, sort=Sort("created_at")
        )
    assert total == 0


async def test_delete_drops_the_record_and_a_retried_job_the_object(world: World) -> None:
    job = world.access.add()
    view = await world.upload(world.tech, intervention_id=job.id)
    delete_object = DeleteObject(world.uow, world.storage)

    async def run(ctx: Any, payload: Any) -> None:
        await delete_object(payload["storage_key"])

    queue = LocalJobQueue(
        MemoryJobStore(),
        Registry([JobDefinition(DELETE_OBJECT_JOB, run, retries=5, retry_delay_seconds=0.05)]),
    )
    worker = LocalWorker(queue, concurrency=1, lease_seconds=2, poll_seconds=0.02)
    delete = DeleteDocument(world.uow(), world.access, queue, world.clock)
    with pytest.raises(Forbidden):
        await delete(DeleteDocumentCommand(actor=world.tech, document_id=view.id))
    world.storage.fail_deletes = True  # the first attempts fail: the job retries
    await delete(DeleteDocumentCommand(actor=world.manager, document_id=view.id))
    with pytest.raises(NotFound):
        await delete(DeleteDocumentCommand(actor=world.manager, document_id=view.id))
    assert len(world.pending()) == 1
    await worker.start()
    try:
        await asyncio.sleep(0.2)
        assert len(world.objects()) == 1
        world.storage.fail_deletes = False
        for _ in range(200):
            if not world.objects():
                break
            await asyncio.sleep(0.02)
    finally:
        await worker.stop()
    assert world.objects() == {}
    assert world.pending() == []


async def test_verify_reports_corruption_and_reads_follow_the_matrix(world: World) -> None:
    mine = world.access.add(owner=world.client.user_id)
    theirs = world.access.add(owner=uuid4())
    secret = await world.upload(world.tech, kind=DocumentKind.INVOICE, intervention_id=mine.id)
    other = await world.upload(world.tech, kind=DocumentKind.PHOTO, intervention_id=theirs.id)
    loose = await world.upload(world.manager)
    verify = VerifyDocument(world.uow(), world.access, world.storage, world.cipher)
    assert (await verify(DocumentQuery(actor=world.client, document_id=secret.id))).ok
    for hidden in (other.id, loose.id):
        with pytest.raises(NotFound):
            await verify(DocumentQuery(actor=world.client, document_id=hidden))
    listed = await ListDocuments(world.uow(), world.access)(
        ListDocumentsQuery(actor=world.client, filters=DocumentFilters(), limit=50, offset=0)
    )
    assert [d.id for d in listed.items] == [secret.id]

    key = next(k for k in world.objects() if k.startswith(f"documents/{secret.id}/"))
    data, blob = world.storage.inner._objects[key]  # type: ignore[attr-defined]
    world.storage.inner._objects[key] = (data[:-1] + bytes([data[-1] ^ 1]), blob)  # type: ignore[attr-defined]
    result = await verify(DocumentQuery(actor=world.manager, document_id=secret.id))
    assert result.ok is False
    assert result.sha256 is None
    await world.storage.inner.delete(key)
    assert (await verify(DocumentQuery(actor=world.manager, document_id=secret.id))).ok is False


async def test_links(world: World) -> None:
    job = world.access.add()
    photo = await world.upload(world.tech, kind=DocumentKind.PHOTO, intervention_id=job.id)
    invoice = await world.upload(world.tech, kind=DocumentKind.INVOICE, intervention_id=job.id)
    signer = HmacUrlSigner(os.urandom(32))
    links = GetDocumentLink(world.uow(), world.access, world.storage, signer, world.clock, 600)
    with pytest.raises(EncryptedDocument):
        await links(DocumentQuery(actor=world.tech, document_id=invoice.id))
    link = await links(DocumentQuery(actor=world.tech, document_id=photo.id))
    assert link.signed_by_app
    query: dict[str, Any] = dict(
        part.split("=", 1) for part in link.url.split("?", 1)[1].split("&")
    )
    content = GetDocumentContent(
        world.uow(), world.access, world.storage, world.cipher, signer, world.clock
    )
    read = await content(DocumentContentQuery(document_id=photo.id, **query))
    assert b"".join([c async for c in read.chunks]) == PDF
    tampered: dict[str, Any] = {**query, "signature": query["signature"][:-2] + "AA"}
    with pytest.raises(NotFound):
        await content(DocumentContentQuery(document_id=photo.id, **tampered))
    with pytest.raises(NotFound):  # another document with this document's signature
        await content(DocumentContentQuery(document_id=invoice.id, **query))
    world.clock.advance(seconds=601)
    with pytest.raises(NotFound):
        await content(DocumentContentQuery(document_id=photo.id, **query))


async def test_key_rotation_is_resumable(world: World) -> None:
    job = world.access.add()
    views = [
        await world.upload(world.tech, kind=DocumentKind.INVOICE, intervention_id=job.id)
        for _ in range(5)
    ]
    world.cipher = AesGcmDocumentCipher({"k2": os.urandom(32), "k1": world.k1})
    rotate = RotateDocumentKeys(world.uow, world.storage, world.cipher, world.clock, GRACE)
    assert await rotate.remaining() == 5
    first = await rotate.batch(None)
    for document in first[:2]:  # stopped after two documents
        assert (await rotate.rotate(document)).outcome == "rotated"
    assert await rotate.remaining() == 3
    for document in await rotate.batch(None):  # resumed
        assert (await rotate.rotate(document)).outcome == "rotated"
    assert await rotate.remaining() == 0
    assert len(world.objects()) == 5  # the old objects are gone
    assert world.pending() == []
    verify = VerifyDocument(world.uow(), world.access, world.storage, world.cipher)
    for view in views:
        assert (await verify(DocumentQuery(actor=world.manager, document_id=view.id))).ok
