"""msgspec bodies and answers of the AI jobs routes."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.jobs.status import JobStatus
from domain.jobs.transcription import MAX_SOURCE_URL_CHARS, Transcription
from domain.jobs.tryon import TryOn

SourceUrl = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_SOURCE_URL_CHARS,
        description="http or https; hosts resolving to private, loopback or link-local "
        "addresses are 422 forbidden_source_url.",
    ),
]
Language = Annotated[
    str,
    msgspec.Meta(
        min_length=2,
        max_length=20,
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$",
        description="A language tag such as en, fr or pt-BR (default: detected).",
    ),
]


class TranscriptionCreate(msgspec.Struct, kw_only=True):
    source_url: SourceUrl
    language: Language | None = None


class SegmentRead(msgspec.Struct, kw_only=True):
    start: float
    end: float
    text: str


class TranscriptionRead(msgspec.Struct, kw_only=True):
    id: UUID
    source_url: str
    language: str | None
    status: JobStatus
    progress: int
    text: str | None
    segments: list[SegmentRead]
    error: str | None
    owner_id: UUID
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None

    @classmethod
    def of(cls, job: Transcription) -> "TranscriptionRead":
        return cls(
            id=job.id,
            source_url=job.source_url,
            language=job.language,
            status=job.status,
            progress=job.progress,
            text=job.text,
            segments=[SegmentRead(start=s.start, end=s.end, text=s.text) for s in job.segments],
            error=job.error,
            owner_id=job.owner_id,
            created_at=job.created_at,
            started_at=job.started_at,
            completed_at=job.completed_at,
        )


class TryOnCreate(msgspec.Struct, kw_only=True):
    person_image_id: UUID
    garment_image_id: UUID


class TryOnRead(msgspec.Struct, kw_only=True):
    id: UUID
    status: JobStatus
    progress: int
    stage: str | None
    result_image_id: UUID | None
    error: str | None
    person_image_id: UUID
    garment_image_id: UUID
    owner_id: UUID
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None

    @classmethod
    def of(cls, job: TryOn) -> "TryOnRead":
        return cls(
            id=job.id,
            status=job.status,
            progress=job.progress,
            stage=job.stage,
            result_image_id=job.result_image_id,
            error=job.error,
            person_image_id=job.person_image_id,
            garment_image_id=job.garment_image_id,
            owner_id=job.owner_id,
            created_at=job.created_at,
            started_at=job.started_at,
            completed_at=job.completed_at,
        )
