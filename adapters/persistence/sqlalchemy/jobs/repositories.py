"""The transcription and try-on repositories on SQLAlchemy Core."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from adapters.persistence.sqlalchemy.errors import execute_checked
from adapters.persistence.sqlalchemy.jobs.tables import transcriptions, tryon_jobs
from adapters.persistence.sqlalchemy.queries import const, execute_guarded
from adapters.persistence.sqlalchemy.repository import SqlRepository
from application.jobs.ports import (
    JobFilters,
    JobOwners,
    TranscriptionRepository,
    TryOnRepository,
)
from domain.jobs.status import ACTIVE, JobStatus
from domain.jobs.transcription import Segment, Transcription
from domain.jobs.tryon import TryOn
from domain.shared.access import Role

T = transcriptions.c
J = tryon_jobs.c
_ACTIVE = sorted(s.value for s in ACTIVE)


def _transcription_row(job: Transcription) -> dict[str, Any]:
    return {
        "id": job.id,
        "owner_id": job.owner_id,
        "source_url": job.source_url,
        "language": job.language,
        "status": job.status.value,
        "progress": job.progress,
        "text": job.text,
        "segments": [{"start": s.start, "end": s.end, "text": s.text} for s in job.segments],
        "error": job.error,
        "attempts": job.attempts,
        "provider_ref": job.provider_ref,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "started_at": job.started_at,
        "completed_at": job.completed_at,
    }


def _transcription(row: sa.Row[Any]) -> Transcription:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return Transcription(
        id=r["id"],
        owner_id=r["owner_id"],
        source_url=r["source_url"],
        language=r["language"],
        status=JobStatus(r["status"]),
        progress=r["progress"],
        text=r["text"],
        segments=[Segment(float(s["start"]), float(s["end"]), s["text"]) for s in r["segments"]],
        error=r["error"],
        attempts=r["attempts"],
        provider_ref=r["provider_ref"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        started_at=r["started_at"],
        completed_at=r["completed_at"],
    )


def _tryon_row(job: TryOn) -> dict[str, Any]:
    return {
        "id": job.id,
        "owner_id": job.owner_id,
        "owner_role": job.owner_role.value,
        "person_image_id": job.person_image_id,
        "garment_image_id": job.garment_image_id,
        "status": job.status.value,
        "progress": job.progress,
        "stage": job.stage,
        "result_image_id": job.result_image_id,
        "error": job.error,
        "attempts": job.attempts,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "started_at": job.started_at,
        "completed_at": job.completed_at,
    }


def _tryon(row: sa.Row[Any]) -> TryOn:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return TryOn(
        id=r["id"],
        owner_id=r["owner_id"],
        owner_role=Role(r["owner_role"]),
        person_image_id=r["person_image_id"],
        garment_image_id=r["garment_image_id"],
        status=JobStatus(r["status"]),
        progress=r["progress"],
        stage=r["stage"],
        result_image_id=r["result_image_id"],
        error=r["error"],
        attempts=r["attempts"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        started_at=r["started_at"],
        completed_at=r["completed_at"],
    )


class _Jobs(SqlRepository):
    table: sa.Table

    async def _save(self, row: dict[str, Any], expected: JobStatus) -> bool:
        c = self.table.c
        values = {k: v for k, v in row.items() if k != "id"}
        statement = (
            sa.update(self.table)
            .where(c.id == row["id"], c.status == expected.value)
            .values(values)
        )
        result = await execute_checked(self._conn, statement, guarded=False)
        return isinstance(result, CursorResult) and result.rowcount == 1

    async def count_active(self, owner_id: UUID) -> int:
        c = self.table.c
        statement = (
            sa.select(sa.func.count())
            .select_from(self.table)
            .where(c.owner_id == owner_id, c.status.in_(const(*_ACTIVE)))
        )
        return int((await self._conn.execute(statement)).scalar_one())

    async def _stale(self, updated_before: datetime, limit: int) -> list[sa.Row[Any]]:
        c = self.table.c
        statement = (
            sa.select(self.table)
            .where(c.status.in_(const(*_ACTIVE)), c.updated_at < updated_before)
            .order_by(c.updated_at.asc(), c.id.asc())
            .limit(limit)
        )
        return list((await self._conn.execute(statement)).all())

    async def _get(self, job_id: UUID) -> sa.Row[Any] | None:
        return (
            await self._conn.execute(sa.select(self.table).where(self.table.c.id == job_id))
        ).first()


class SqlTranscriptionRepository(_Jobs, TranscriptionRepository):
    table = transcriptions

    async def add(self, job: Transcription) -> None:
        await execute_guarded(self._conn, sa.insert(transcriptions).values(_transcription_row(job)))

    async def get(self, job_id: UUID) -> Transcription | None:
        row = await self._get(job_id)
        return None if row is None else _transcription(row)

    async def save(self, job: Transcription, *, expected_status: JobStatus) -> bool:
        return await self._save(_transcription_row(job), expected_status)

    async def remove(self, job_id: UUID) -> bool:
        result = await execute_checked(
            self._conn, sa.delete(transcriptions).where(T.id == job_id), guarded=False
        )
        return isinstance(result, CursorResult) and result.rowcount == 1

    async def list(
        self, filters: JobFilters, *, limit: int, offset: int
    ) -> tuple[Sequence[Transcription], int]:
        conditions: list[sa.ColumnElement[bool]] = []
        if filters.owner_id is not None:
            conditions.append(T.owner_id == filters.owner_id)
        if filters.status is not None:
            conditions.append(T.status == filters.status.value)
        count = sa.select(sa.func.count()).select_from(transcriptions).where(*conditions)
        total = int((await self._conn.execute(count)).scalar_one())
        if limit <= 0 or total <= offset:
            return [], total
        page = (
            sa.select(transcriptions)
            .where(*conditions)
            .order_by(T.created_at.desc(), T.id.desc())
            .limit(limit)
            .offset(offset)
        )
        rows = (await self._conn.execute(page)).all()
        return [_transcription(r) for r in rows], total

    async def stale(self, updated_before: datetime, *, limit: int) -> Sequence[Transcription]:
        return [_transcription(r) for r in await self._stale(updated_before, limit)]


class SqlTryOnRepository(_Jobs, TryOnRepository):
    table = tryon_jobs

    async def add(self, job: TryOn) -> None:
        await execute_guarded(self._conn, sa.insert(tryon_jobs).values(_tryon_row(job)))

    async def get(self, job_id: UUID) -> TryOn | None:
        row = await self._get(job_id)
        return None if row is None else _tryon(row)

    async def save(self, job: TryOn, *, expected_status: JobStatus) -> bool:
        return await self._save(_tryon_row(job), expected_status)

    async def stale(self, updated_before: datetime, *, limit: int) -> Sequence[TryOn]:
        return [_tryon(r) for r in await self._stale(updated_before, limit)]


class SqlJobOwners(SqlRepository, JobOwners):
    """PostgreSQL: a transaction-scoped advisory lock per owner (no row of another module's
    table is touched). SQLite serialises writing transactions already."""

    async def lock(self, owner_id: UUID) -> None:
        if self._postgres:
            key = int.from_bytes(owner_id.bytes[:8], "big", signed=True)
            await self._conn.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
