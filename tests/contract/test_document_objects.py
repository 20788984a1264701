"""No object without its record, on every BlobStorage adapter (memory, a local folder, the S3
server): a storage that breaks in the middle of an upload (a real wrapper over the adapter,
see ``tests/support/flaky_storage.py``) leaves neither the object nor its pending row; when
it cannot even delete, the sweeper does once the grace period is over."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.persistence.memory.documents import PENDING, MemoryDocumentsUnitOfWork
from adapters.persistence.memory.store import MemoryStore
from adapters.storage.local import LocalBlobStorage
from adapters.storage.memory import MemoryBlobStorage
from adapters.storage.s3 import S3BlobStorage
from application.documents.commands import SweepCommand
from application.documents.objects import write_object
from application.documents.use_cases.sweep_objects import SweepObjects
from application.shared.storage import BlobStorage
from domain.shared.errors import DependencyUnavailable
from tests.support.flaky_storage import FlakyStorage

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
GRACE = timedelta(hours=1)
MIB = 1024 * 1024


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        return self.at


@pytest.fixture(params=["memory", "local", "s3"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStorage]:
    if request.param == "memory":
        yield MemoryBlobStorage()
    elif request.param == "local":
        yield LocalBlobStorage(tmp_path / "files")
    else:
        s3 = S3BlobStorage(
            bucket=f"atelier-docs-{uuid.uuid4().hex[:10]}",
            endpoint_url=request.getfixturevalue("s3_endpoint"),
            access_key_id="testing",
            secret_access_key="testing",
            path_style=True,
            create_bucket=True,
        )
        yield s3
        await s3.aclose()


async def _body(size: int) -> AsyncIterator[bytes]:
    block = os.urandom(MIB)
    sent = 0
    while sent < size:
        piece = block[: min(MIB, size - sent)]
        sent += len(piece)
        yield piece


@pytest.mark.parametrize("break_after", [1, 3 * MIB, 9 * MIB])  # before, within, past a part
async def test_a_storage_breaking_mid_upload_leaves_nothing(
    storage: BlobStorage, break_after: int
) -> None:
    store = MemoryStore()
    flaky = FlakyStorage(storage)
    flaky.fail_put_after = break_after
    key = f"documents/{uuid.uuid4()}/{uuid.uuid4().hex[:16]}"
    with pytest.raises(DependencyUnavailable):
        await write_object(
            lambda: MemoryDocumentsUnitOfWork(store), flaky, key, _body(12 * MIB),
            content_type="application/pdf", now=NOW, grace=GRACE,
        )  # fmt: skip
    assert not await storage.exists(key)
    assert store.tables.get(PENDING, {}) == {}


async def test_when_storage_cannot_delete_the_sweeper_does_later(storage: BlobStorage) -> None:
    store = MemoryStore()
    flaky = FlakyStorage(storage)
    flaky.fail_put_after = 2 * MIB
    flaky.fail_deletes = True
    key = f"documents/{uuid.uuid4()}/{uuid.uuid4().hex[:16]}"
    with pytest.raises(DependencyUnavailable):
        await write_object(
            lambda: MemoryDocumentsUnitOfWork(store), flaky, key, _body(4 * MIB),
            content_type="application/pdf", now=NOW, grace=GRACE,
        )  # fmt: skip
    assert await storage.exists(key)  # a partial object, recorded as pending
    assert list(store.tables[PENDING]) == [key]
    flaky.fail_deletes = False
    clock = Clock()
    sweeper = SweepObjects(lambda: MemoryDocumentsUnitOfWork(store), flaky, clock)
    assert (await sweeper(SweepCommand())).deleted == 0  # within the grace period
    clock.at = NOW + GRACE + timedelta(seconds=1)
    assert (await sweeper(SweepCommand())).deleted == 1
    assert not await storage.exists(key)
    assert store.tables[PENDING] == {}
