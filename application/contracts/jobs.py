"""What the AI jobs module publishes: the outcome of a job, for its owner's notifications."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from application.shared.integration import IntegrationEvent


@dataclass(frozen=True, kw_only=True, slots=True)
class JobFacts(IntegrationEvent):
    """What every job outcome says: which job, of which kind, whose."""

    job_id: UUID
    kind: str  # "transcription" | "tryon"
    owner_id: UUID


@dataclass(frozen=True, kw_only=True, slots=True)
class JobCompleted(JobFacts):
    NAME: ClassVar[str] = "jobs.job_completed.v1"
    result_id: UUID | None = None  # the try-on's result image; None for a transcription


@dataclass(frozen=True, kw_only=True, slots=True)
class JobFailed(JobFacts):
    NAME: ClassVar[str] = "jobs.job_failed.v1"
    error: str


PUBLISHED: tuple[type[IntegrationEvent], ...] = (JobCompleted, JobFailed)
