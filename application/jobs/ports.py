"""Ports of the AI jobs context: repositories, unit of work, providers, host resolution.

Repositories hand out copies; nothing is stored until ``add``/``save`` and the unit of work
commits. ``save(job, expected_status=...)`` stores the job only while its stored status is
still ``expected_status`` (``UPDATE ... WHERE id = :id AND status = :expected``) and answers
whether it did: of a cancellation and a completion racing, or of two workers running the
same job after a crash, exactly one wins, so an outcome is recorded (and emitted) once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.contracts.media import ImageLibrary as ImageLibrary  # media's port
from application.contracts.media import LibraryImage as LibraryImage
from application.shared.uow import UnitOfWork
from domain.jobs.status import JobStatus
from domain.jobs.transcription import Segment, Transcription
from domain.jobs.tryon import TryOn

ENTITY_TRANSCRIPTION = "transcription"
ENTITY_TRYON = "tryon"


@dataclass(frozen=True, slots=True, kw_only=True)
class JobFilters:
    owner_id: UUID | None = None
    """None: every owner (administrators)."""
    status: JobStatus | None = None


class TranscriptionRepository(Protocol):
    async def add(self, job: Transcription) -> None: ...

    async def get(self, job_id: UUID) -> Transcription | None: ...

    async def save(self, job: Transcription, *, expected_status: JobStatus) -> bool: ...

    async def remove(self, job_id: UUID) -> bool: ...

    async def list(
        self, filters: JobFilters, *, limit: int, offset: int
    ) -> tuple[Sequence[Transcription], int]:
        """Newest first (``created_at`` descending, then id descending)."""
        ...

    async def count_active(self, owner_id: UUID) -> int: ...

    async def stale(self, updated_before: datetime, *, limit: int) -> Sequence[Transcription]:
        """Queued or running jobs not touched since ``updated_before`` (oldest first)."""
        ...


class TryOnRepository(Protocol):
    async def add(self, job: TryOn) -> None: ...

    async def get(self, job_id: UUID) -> TryOn | None: ...

    async def save(self, job: TryOn, *, expected_status: JobStatus) -> bool: ...

    async def count_active(self, owner_id: UUID) -> int: ...

    async def stale(self, updated_before: datetime, *, limit: int) -> Sequence[TryOn]: ...


class JobOwners(Protocol):
    async def lock(self, owner_id: UUID) -> None:
        """Serialise this transaction with the others of the same owner until it ends (the
        quota is counted and a job added without a concurrent submission slipping in)."""
        ...


class JobsUnitOfWork(UnitOfWork, Protocol):
    transcriptions: TranscriptionRepository
    tryons: TryOnRepository
    owners: JobOwners


# -- providers ------------------------------------------------------------------------------
class JobCancelled(Exception):
    """Raised by a progress callback when the job was cancelled or removed: stop now."""


class ProviderUnavailable(Exception):
    """The provider did not answer, or answered 5xx/429: worth another attempt."""


class ProviderFailed(Exception):
    """The provider refused or failed this input for good (its message is shown to the user;
    it never carries a secret)."""


#: ``await progress(percent)``: record progress (0-100); raises :class:`JobCancelled`.
Progress = Callable[[int], Awaitable[None]]
#: ``await progress(percent, stage)``.
StageProgress = Callable[[int, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class TranscriptResult:
    text: str
    segments: list[Segment]
    language: str | None = None


#: ``await remember(reference)``: keep the provider's own id of the work, so a run of the
#: same job after a crash resumes it instead of paying for it twice.
Remember = Callable[[str], Awaitable[None]]


class TranscriptionProvider(Protocol):
    async def transcribe(
        self,
        source_url: str,
        language: str | None,
        progress: Progress,
        *,
        resume: str | None = None,
        remember: Remember | None = None,
    ) -> TranscriptResult:
        """The transcript of the media at ``source_url``; ``ProviderUnavailable`` for a
        passing failure, ``ProviderFailed`` for a final one. A provider that works
        remotely calls ``remember`` with its reference once the work is submitted, and
        follows ``resume`` (a reference remembered by an earlier run) instead of submitting
        again."""
        ...


class TryOnProvider(Protocol):
    async def render(self, person: bytes, garment: bytes, progress: StageProgress) -> bytes:
        """A PNG picture of the person wearing the garment (errors as for transcriptions)."""
        ...


class HostResolver(Protocol):
    async def resolve(self, host: str) -> Sequence[str]:
        """The addresses ``host`` resolves to (empty when it does not resolve); a resolver
        that does not answer in time raises ``DependencyUnavailable``."""
        ...
