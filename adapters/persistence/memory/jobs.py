"""In-memory AI jobs repositories and unit of work (the twins of the SQL ones)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from adapters.persistence import constraints
from adapters.persistence.memory.store import (
    MemoryStore,
    MemoryUnitOfWork,
    Reference,
    check_references,
    snapshot,
)
from application.jobs.ports import (
    JobFilters,
    JobOwners,
    JobsUnitOfWork,
    TranscriptionRepository,
    TryOnRepository,
)
from application.shared.events import EventPublisher
from application.shared.uow import OutboxSignal
from domain.jobs.status import JobStatus
from domain.jobs.transcription import Transcription
from domain.jobs.tryon import TryOn

TRANSCRIPTIONS, TRYONS = "jobs_transcriptions", "jobs_tryons"
USERS = "users"
"""The identity context's memory table of users (the same store on the memory profile)."""
OWNER = (Reference("owner_id", "users", USERS),)


class _Jobs:
    memory_table = ""
    sql_table = ""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._rows: dict[UUID, Any] = uow.table(self.memory_table)

    async def _add(self, job: Any) -> None:
        if job.id in self._rows:
            raise constraints.duplicate(self.sql_table, ["id"], f"pk_{self.sql_table}")
        check_references(self._uow, self.sql_table, job, OWNER)
        self._rows[job.id] = snapshot(job)

    def _one(self, job_id: UUID) -> Any:
        job = self._rows.get(job_id)
        return None if job is None else snapshot(job)

    async def _save(self, job: Any, expected_status: JobStatus) -> bool:
        stored = self._rows.get(job.id)
        if stored is None or stored.status is not expected_status:
            return False
        self._rows[job.id] = snapshot(job)
        return True

    async def count_active(self, owner_id: UUID) -> int:
        return sum(1 for j in self._rows.values() if j.owner_id == owner_id and j.status.active)

    def _stale(self, updated_before: datetime, limit: int) -> list[Any]:
        rows = [j for j in self._rows.values() if j.status.active and j.updated_at < updated_before]
        rows.sort(key=lambda j: (j.updated_at, j.id.int))
        return [snapshot(j) for j in rows[:limit]]


class MemoryTranscriptionRepository(_Jobs, TranscriptionRepository):
    memory_table, sql_table = TRANSCRIPTIONS, "transcriptions"

    async def add(self, job: Transcription) -> None:
        await self._add(job)

    async def get(self, job_id: UUID) -> Transcription | None:
        job: Transcription | None = self._one(job_id)
        return job

    async def save(self, job: Transcription, *, expected_status: JobStatus) -> bool:
        return await self._save(job, expected_status)

    async def remove(self, job_id: UUID) -> bool:
        return self._rows.pop(job_id, None) is not None

    async def list(
        self, filters: JobFilters, *, limit: int, offset: int
    ) -> tuple[Sequence[Transcription], int]:
        matches = [
            j
            for j in self._rows.values()
            if (filters.owner_id is None or j.owner_id == filters.owner_id)
            and (filters.status is None or j.status is filters.status)
        ]
        matches.sort(key=lambda j: (j.created_at, j.id.int), reverse=True)
        return [snapshot(j) for j in matches[offset : offset + max(0, limit)]], len(matches)

    async def stale(self, updated_before: datetime, *, limit: int) -> Sequence[Transcription]:
        return self._stale(updated_before, limit)


class MemoryTryOnRepository(_Jobs, TryOnRepository):
    memory_table, sql_table = TRYONS, "tryon_jobs"

    async def add(self, job: TryOn) -> None:
        await self._add(job)

    async def get(self, job_id: UUID) -> TryOn | None:
        job: TryOn | None = self._one(job_id)
        return job

    async def save(self, job: TryOn, *, expected_status: JobStatus) -> bool:
        return await self._save(job, expected_status)

    async def stale(self, updated_before: datetime, *, limit: int) -> Sequence[TryOn]:
        return self._stale(updated_before, limit)


class MemoryJobOwners(JobOwners):
    """The memory store serialises every transaction already."""

    async def lock(self, owner_id: UUID) -> None:
        return None


class MemoryJobsUnitOfWork(MemoryUnitOfWork, JobsUnitOfWork):
    transcriptions: MemoryTranscriptionRepository
    tryons: MemoryTryOnRepository
    owners: MemoryJobOwners

    def __init__(
        self,
        store: MemoryStore,
        publisher: EventPublisher | None = None,
        *,
        outbox_signal: OutboxSignal | None = None,
    ) -> None:
        super().__init__(store, publisher, outbox_signal=outbox_signal)

    def _open_repositories(self) -> None:
        self.transcriptions = MemoryTranscriptionRepository(self)
        self.tryons = MemoryTryOnRepository(self)
        self.owners = MemoryJobOwners()
