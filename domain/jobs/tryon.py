"""A virtual try-on job: a person image and a garment image in, a new image out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.jobs.status import JobStatus, check_move, clamp_progress
from domain.jobs.transcription import MAX_ERROR_CHARS
from domain.shared.access import Role
from domain.shared.ids import new_id


@dataclass(kw_only=True, eq=False, slots=True)
class TryOn:
    id: UUID
    owner_id: UUID
    owner_role: Role
    """The owner's role when they asked: the worker reads the images as them."""
    person_image_id: UUID
    garment_image_id: UUID
    status: JobStatus
    progress: int = 0
    stage: str | None = None
    result_image_id: UUID | None = None
    error: str | None = None
    attempts: int = 0
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None

    @classmethod
    def submit(
        cls,
        *,
        owner_id: UUID,
        owner_role: Role,
        person_image_id: UUID,
        garment_image_id: UUID,
        now: datetime,
    ) -> TryOn:
        return cls(
            id=new_id(),
            owner_id=owner_id,
            owner_role=owner_role,
            person_image_id=person_image_id,
            garment_image_id=garment_image_id,
            status=JobStatus.QUEUED,
            created_at=now,
            updated_at=now,
        )

    def start(self, now: datetime) -> None:
        check_move(self.status, JobStatus.RUNNING)
        self.status = JobStatus.RUNNING
        self.attempts += 1
        self.started_at = self.started_at or now
        self.updated_at = now

    def report(self, progress: int, stage: str, now: datetime) -> None:
        if self.status is JobStatus.RUNNING:
            self.progress = max(self.progress, min(99, clamp_progress(progress)))
            self.stage = stage
            self.updated_at = now

    def complete(self, result_image_id: UUID, now: datetime) -> None:
        check_move(self.status, JobStatus.COMPLETED)
        self.status = JobStatus.COMPLETED
        self.result_image_id = result_image_id
        self.progress, self.stage, self.error = 100, "done", None
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
