"""Contract of the AI jobs repositories: memory, SQLite and PostgreSQL alike (round trips,
guarded saves that let exactly one of two racing outcomes win, lists, quota counts, stale
jobs, unknown owners)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from adapters.persistence.memory.jobs import MemoryJobsUnitOfWork
from adapters.persistence.memory.store import MemoryStore
from adapters.persistence.sqlalchemy.jobs import SqlJobsUnitOfWork
from application.jobs.ports import JobFilters, JobsUnitOfWork
from domain.jobs.status import JobStatus
from domain.jobs.transcription import Segment, Transcription
from domain.jobs.tryon import TryOn
from domain.shared.access import Role
from domain.shared.errors import UnknownReference
from domain.shared.ids import new_id
from tests.contract.test_maintenance_repositories import NOW, insert_user
from tests.support.databases import migrated_database


@dataclasses.dataclass
class Backend:
    name: str
    uow: Callable[[], JobsUnitOfWork]
    new_user: Callable[[], Awaitable[UUID]]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "memory":
        store = MemoryStore()

        async def memory_user() -> UUID:
            user_id = new_id()
            store.tables.setdefault("users", {})[user_id] = object()
            return user_id

        yield Backend("memory", lambda: MemoryJobsUnitOfWork(store), memory_user)
        return
    async with migrated_database(request, tmp_path, "jobs") as database:

        async def sql_user() -> UUID:
            return await insert_user(database, role=Role.CLIENT)

        yield Backend(request.param, lambda: SqlJobsUnitOfWork(database), sql_user)


def _transcription(owner: UUID, at: datetime = NOW) -> Transcription:
    return Transcription.submit(
        owner_id=owner, source_url="https://media.example.com/a.mp4", language="fr", now=at
    )


async def _add(b: Backend, *jobs: Any) -> None:
    async with b.uow() as uow:
        for job in jobs:
            repo = uow.transcriptions if isinstance(job, Transcription) else uow.tryons
            await repo.add(job)
        await uow.commit()


async def test_a_transcription_round_trips(backend: Backend) -> None:
    owner = await backend.new_user()
    job = _transcription(owner)
    await _add(backend, job)
    async with backend.uow() as uow:
        loaded = await uow.transcriptions.get(job.id)
        assert loaded is not None
        loaded.start(NOW + timedelta(seconds=1))
        assert await uow.transcriptions.save(loaded, expected_status=JobStatus.QUEUED)
        loaded.complete("bonjour", [Segment(0.0, 1.25, "bonjour")], NOW + timedelta(seconds=2))
        assert await uow.transcriptions.save(loaded, expected_status=JobStatus.RUNNING)
        await uow.commit()
    async with backend.uow() as uow:
        back = await uow.transcriptions.get(job.id)
    assert back is not None
    assert dataclasses.asdict(back) == dataclasses.asdict(loaded)
    assert back.segments == [Segment(0.0, 1.25, "bonjour")]


async def test_a_guarded_save_fails_when_the_status_moved(backend: Backend) -> None:
    owner = await backend.new_user()
    job = _transcription(owner)
    await _add(backend, job)
    async with backend.uow() as uow:
        first = await uow.transcriptions.get(job.id)
        assert first is not None
        first.cancel(NOW)
        assert await uow.transcriptions.save(first, expected_status=JobStatus.QUEUED)
        await uow.commit()
    async with backend.uow() as uow:
        stale = _transcription(owner)
        stale.id = job.id
        stale.start(NOW)
        assert not await uow.transcriptions.save(stale, expected_status=JobStatus.QUEUED)
        await uow.commit()
    async with backend.uow() as uow:
        back = await uow.transcriptions.get(job.id)
    assert back is not None
    assert back.status is JobStatus.CANCELLED


# SQLite serialises writers: there is no race to observe there
@pytest.mark.parametrize("backend", ["memory", "postgres"], indirect=True)
async def test_of_two_racing_outcomes_one_wins(backend: Backend) -> None:
    owner = await backend.new_user()
    job = _transcription(owner)
    job.start(NOW)
    await _add(backend, job)

    async def finish(outcome: str) -> bool:
        async with backend.uow() as uow:
            loaded = await uow.transcriptions.get(job.id)
            assert loaded is not None
            await asyncio.sleep(0.05)  # both have read "running"
            if loaded.status is not JobStatus.RUNNING:
                return False
            if outcome == "complete":
                loaded.complete("t", [], NOW)
            else:
                loaded.fail("f", NOW)
            saved = await uow.transcriptions.save(loaded, expected_status=JobStatus.RUNNING)
            await uow.commit()
            return saved

    results = await asyncio.gather(finish("complete"), finish("fail"))
    assert sorted(results) == [False, True]


async def test_lists_are_newest_first_filtered_and_paged(backend: Backend) -> None:
    owner, other = await backend.new_user(), await backend.new_user()
    jobs = [_transcription(owner, NOW + timedelta(minutes=n)) for n in range(5)]
    jobs[1].start(NOW)
    await _add(backend, *jobs, _transcription(other))
    async with backend.uow() as uow:
        page, total = await uow.transcriptions.list(JobFilters(owner_id=owner), limit=2, offset=1)
        running, running_total = await uow.transcriptions.list(
            JobFilters(owner_id=owner, status=JobStatus.RUNNING), limit=50, offset=0
        )
        empty, empty_total = await uow.transcriptions.list(
            JobFilters(owner_id=owner), limit=10, offset=10
        )
    assert total == 5
    assert [j.id for j in page] == [jobs[3].id, jobs[2].id]
    assert [j.id for j in running] == [jobs[1].id]
    assert running_total == 1
    assert (list(empty), empty_total) == ([], 5)


async def test_active_counts_and_stale_jobs(backend: Backend) -> None:
    owner = await backend.new_user()
    old, fresh, done = (
        _transcription(owner, NOW - timedelta(hours=1)),
        _transcription(owner, NOW),
        _transcription(owner, NOW - timedelta(hours=2)),
    )
    done.start(NOW - timedelta(hours=2))
    done.fail("x", NOW - timedelta(hours=2))
    tryon = TryOn.submit(
        owner_id=owner,
        owner_role=Role.CLIENT,
        person_image_id=new_id(),
        garment_image_id=new_id(),
        now=NOW - timedelta(hours=3),
    )
    await _add(backend, old, fresh, done, tryon)
    async with backend.uow() as uow:
        assert await uow.transcriptions.count_active(owner) == 2
        assert await uow.tryons.count_active(owner) == 1
        stale = await uow.transcriptions.stale(NOW - timedelta(minutes=30), limit=10)
        stale_tryons = await uow.tryons.stale(NOW - timedelta(minutes=30), limit=10)
    assert old.id in [j.id for j in stale]
    assert fresh.id not in [j.id for j in stale]
    assert done.id not in [j.id for j in stale]
    assert tryon.id in [j.id for j in stale_tryons]


async def test_removal_and_unknown_owners(backend: Backend) -> None:
    owner = await backend.new_user()
    job = _transcription(owner)
    await _add(backend, job)
    async with backend.uow() as uow:
        assert await uow.transcriptions.remove(job.id)
        assert not await uow.transcriptions.remove(job.id)
        await uow.commit()
    async with backend.uow() as uow:
        assert await uow.transcriptions.get(job.id) is None
    with pytest.raises(UnknownReference):
        await _add(backend, _transcription(new_id()))


async def test_a_tryon_round_trips(backend: Backend) -> None:
    owner = await backend.new_user()
    job = TryOn.submit(
        owner_id=owner,
        owner_role=Role.TECHNICIAN,
        person_image_id=new_id(),
        garment_image_id=new_id(),
        now=NOW,
    )
    await _add(backend, job)
    async with backend.uow() as uow:
        loaded = await uow.tryons.get(job.id)
        assert loaded is not None
        loaded.start(NOW)
        loaded.report(40, "fitting", NOW)
        loaded.complete(new_id(), NOW)
        assert await uow.tryons.save(loaded, expected_status=JobStatus.QUEUED)
        await uow.commit()
    async with backend.uow() as uow:
        back = await uow.tryons.get(job.id)
    assert back is not None
    assert dataclasses.asdict(back) == dataclasses.asdict(loaded)


def test_now_is_utc() -> None:
    assert NOW.tzinfo is UTC
