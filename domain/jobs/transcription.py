"""A transcription job: a media URL in, text and timed segments out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.jobs.status import JobStatus, check_move, clamp_progress
from domain.shared.ids import new_id

MAX_SOURCE_URL_CHARS = 2048
MAX_ERROR_CHARS = 500
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
"""A BCP 47-ish language tag: ``en``, ``fr``, ``pt-BR``, ``yue``."""


@dataclass(frozen=True, slots=True)
class Segment:
    start: float
    """Seconds from the beginning of the media."""
    end: float
    text: str


@dataclass(kw_only=True, eq=False, slots=True)
class Transcription:
    id: UUID
    owner_id: UUID
    source_url: str
    language: str | None
    status: JobStatus
    progress: int = 0
    text: str | None = None
    segments: list[Segment] = field(default_factory=list)
    error: str | None = None
    attempts: int = 0
    provider_ref: str | None = None
    """The provider's own id of the work (a remote transcript), kept so that a run after a
    crash follows it instead of submitting again."""
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None

    @classmethod
    def submit(
        cls, *, owner_id: UUID, source_url: str, language: str | None, now: datetime
    ) -> Transcription:
        return cls(
            id=new_id(),
            owner_id=owner_id,
            source_url=source_url,
            language=language,
            status=JobStatus.QUEUED,
            created_at=now,
            updated_at=now,
        )

    def start(self, now: datetime) -> None:
        """A worker begins an attempt (again, after a crash: ``running -> running``)."""
        check_move(self.status, JobStatus.RUNNING)
        self.status = JobStatus.RUNNING
        self.attempts += 1
        self.progress = 0 if self.started_at is None else self.progress
        self.started_at = self.started_at or now
        self.updated_at = now

    def report(self, progress: int, now: datetime) -> None:
        if self.status is JobStatus.RUNNING:
            self.progress = max(self.progress, min(99, clamp_progress(progress)))
            self.updated_at = now

    def complete(self, text: str, segments: list[Segment], now: datetime) -> None:
        check_move(self.status, JobStatus.COMPLETED)
        self.status = JobStatus.COMPLETED
        self.text, self.segments = text, list(segments)
        self.progress, self.error = 100, None
        self.completed_at = self.updated_at = now

    def fail(self, error: str, now: datetime) -> None:
        check_move(self.status, JobStatus.FAILED)
        self.status = JobStatus.FAILED
        self.error = (error.strip() or "The job failed.")[:MAX_ERROR_CHARS]
        self.completed_at = self.updated_at = now

    def cancel(self, now: datetime) -> None:
        check_move(self.status, JobStatus.CANCELLED)
        self.status = JobStatus.CANCELLED
        self.error = "Cancelled by its owner."
        self.completed_at = self.updated_at = now
