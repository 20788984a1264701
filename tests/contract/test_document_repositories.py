"""Contract of the documents repositories and unit of work: memory, SQLite and PostgreSQL.

The PostgreSQL database is shared by the session: each test uses its own intervention and
equipment ids and key ids, and only looks at those.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.persistence.memory.documents import MemoryDocumentsUnitOfWork
from adapters.persistence.memory.store import MemoryStore
from adapters.persistence.sqlalchemy.documents import SqlDocumentsUnitOfWork
from application.documents.ports import DocumentFilters, DocumentsUnitOfWork, PendingObject
from application.shared.pagination import Sort
from domain.documents.document import Document, DocumentKind, storage_key_for
from domain.shared.errors import PreconditionFailed
from domain.shared.ids import new_id
from tests.support.databases import migrated_database

NOW = datetime(2026, 3, 12, 12, 0, 0, 123456, tzinfo=UTC)
UowFactory = Callable[[], DocumentsUnitOfWork]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def uow(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[UowFactory]:
    if request.param == "memory":
        store = MemoryStore()
        yield lambda: MemoryDocumentsUnitOfWork(store)
        return
    async with migrated_database(request, tmp_path, "documents") as database:
        yield lambda: SqlDocumentsUnitOfWork(database)


def document(**fields: object) -> Document:
    document_id = new_id()
    values: dict[str, object] = {
        "id": document_id,
        "name": "Facture été.pdf",
        "kind": DocumentKind.INVOICE,
        "size": 12_345_678_901,  # past 32 bits
        "mime_type": "application/pdf",
        "sha256": secrets.token_hex(32),
        "encrypted": True,
        "key_id": "k1",
        "storage_key": storage_key_for(document_id, secrets.token_hex(8)),
        "intervention_id": uuid.uuid4(),
        "equipment_id": uuid.uuid4(),
        "uploaded_by": uuid.uuid4(),
        "created_at": NOW,
    }
    values.update(fields)
    return Document(**values)  # type: ignore[arg-type]


async def add(uow: UowFactory, *documents: Document) -> None:
    async with uow() as tx:
        for d in documents:
            await tx.documents.add(d)
        await tx.commit()


async def test_a_document_round_trips(uow: UowFactory) -> None:
    stored = document()
    await add(uow, stored)
    async with uow() as tx:
        found = await tx.documents.get(stored.id)
    assert found is not None
    for name in ("name", "kind", "size", "mime_type", "sha256", "encrypted", "key_id",
                 "storage_key", "intervention_id", "equipment_id", "uploaded_by", "created_at",
                 "version"):  # fmt: skip
        assert getattr(found, name) == getattr(stored, name), name
    async with uow() as tx:
        assert await tx.documents.get(uuid.uuid4()) is None


async def test_nothing_is_stored_without_commit(uow: UowFactory) -> None:
    lost = document()
    async with uow() as tx:
        await tx.documents.add(lost)
        await tx.pending_objects.add(
            PendingObject(storage_key=lost.storage_key, reason="upload", sweep_after=NOW)
        )
    async with uow() as tx:
        assert await tx.documents.get(lost.id) is None
        assert not await tx.pending_objects.remove(lost.storage_key)


async def test_filters_scope_and_paging(uow: UowFactory) -> None:
    job, other_job, machine = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    first = document(intervention_id=job, equipment_id=machine, kind=DocumentKind.PHOTO,
                     name="b.png", created_at=NOW)  # fmt: skip
    second = document(intervention_id=job, equipment_id=machine, name="A.pdf",
                      created_at=NOW + timedelta(seconds=1))  # fmt: skip
    third = document(intervention_id=other_job, equipment_id=machine, name="c.pdf",
                     created_at=NOW + timedelta(seconds=2))  # fmt: skip
    loose = document(intervention_id=None, equipment_id=machine, name="d.pdf")
    await add(uow, first, second, third, loose)
    async with uow() as tx:
        by_job, total = await tx.documents.list(
            DocumentFilters(intervention_id=job), limit=50, offset=0, sort=Sort("created_at")
        )
        assert total == 2
        assert [d.id for d in by_job] == [first.id, second.id]
        by_name, _ = await tx.documents.list(
            DocumentFilters(equipment_id=machine), limit=50, offset=0, sort=Sort("name")
        )
        assert [d.name for d in by_name] == ["A.pdf", "b.png", "c.pdf", "d.pdf"]
        newest, total = await tx.documents.list(
            DocumentFilters(equipment_id=machine), limit=1, offset=1,
            sort=Sort("created_at", descending=True),
        )  # fmt: skip
        assert total == 4
        assert [d.id for d in newest] == [second.id]
        photos, total = await tx.documents.list(
            DocumentFilters(equipment_id=machine, kind=DocumentKind.PHOTO),
            limit=50, offset=0, sort=Sort("created_at"),
        )  # fmt: skip
        assert [d.id for d in photos] == [first.id]
        scoped, total = await tx.documents.list(
            DocumentFilters(equipment_id=machine, readable_interventions={other_job}),
            limit=50, offset=0, sort=Sort("created_at"),
        )  # fmt: skip
        assert [d.id for d in scoped] == [third.id]
        nothing, total = await tx.documents.list(
            DocumentFilters(equipment_id=machine, readable_interventions=set()),
            limit=50, offset=0, sort=Sort("created_at"),
        )  # fmt: skip
        assert (list(nothing), total) == ([], 0)
    nowhere = document(intervention_id=None, equipment_id=None, uploaded_by=machine)
    await add(uow, nowhere)
    async with uow() as tx:
        linked, _ = await tx.documents.list(
            DocumentFilters(linked_only=True), limit=200, offset=0,
            sort=Sort("created_at", descending=True),
        )  # fmt: skip
        everything, _ = await tx.documents.list(
            DocumentFilters(), limit=200, offset=0, sort=Sort("created_at", descending=True)
        )
    assert nowhere.id not in {d.id for d in linked}
    assert nowhere.id in {d.id for d in everything}


async def test_save_is_guarded_by_the_version_and_remove_says_whether(uow: UowFactory) -> None:
    stored = document()
    await add(uow, stored)
    async with uow() as tx:
        loaded = await tx.documents.get(stored.id)
        assert loaded is not None
        loaded.reencrypted(storage_key=stored.storage_key + "x", key_id="k2")
        await tx.documents.save(loaded, expected_version=1)
        await tx.commit()
    async with uow() as tx:
        again = await tx.documents.get(stored.id)
        assert again is not None
        assert (again.key_id, again.version) == ("k2", 2)
        again.reencrypted(storage_key="documents/other", key_id="k3")
        with pytest.raises(PreconditionFailed):
            await tx.documents.save(again, expected_version=1)
    async with uow() as tx:
        assert await tx.documents.remove(stored.id)
        assert not await tx.documents.remove(stored.id)
        await tx.commit()


async def test_documents_to_rotate(uow: UowFactory) -> None:
    active = f"k{uuid.uuid4().hex[:8]}"
    old = [document(key_id="old") for _ in range(3)]
    current = document(key_id=active)
    plain = document(encrypted=False, key_id=None)
    await add(uow, *old, current, plain)
    async with uow() as tx:
        remaining = await tx.documents.count_encrypted_not_under(active)
        first = await tx.documents.encrypted_not_under(active, after=None, limit=2)
        ids = sorted(d.id for d in old)
        rest = await tx.documents.encrypted_not_under(active, after=first[-1].id, limit=1000)
    assert remaining >= 3
    assert [d.id.int for d in first] == sorted(d.id.int for d in first)
    seen = {d.id for d in first} | {d.id for d in rest}
    assert set(ids) <= seen
    assert current.id not in seen
    assert plain.id not in seen


async def test_pending_objects_are_claimed_once(uow: UowFactory) -> None:
    tag = uuid.uuid4().hex
    due = PendingObject(storage_key=f"documents/{tag}/a", reason="upload", sweep_after=NOW)
    later = PendingObject(
        storage_key=f"documents/{tag}/b", reason="delete", sweep_after=NOW + timedelta(hours=1)
    )
    async with uow() as tx:
        await tx.pending_objects.add(due)
        await tx.pending_objects.add(later)
        await tx.pending_objects.add(due)  # the same key again replaces it
        await tx.commit()
    async with uow() as tx:
        listed = [
            p for p in await tx.pending_objects.due(NOW, limit=10_000) if tag in p.storage_key
        ]
    assert [p.storage_key for p in listed] == [due.storage_key]
    assert listed[0].sweep_after == NOW
    assert listed[0].reason == "upload"

    async def claim() -> bool:
        async with uow() as tx:
            won = await tx.pending_objects.remove(due.storage_key)
            await tx.commit()
            return won

    results = await asyncio.gather(claim(), claim())
    assert sorted(results) == [False, True]
