"""The life cycle every AI job shares: ``queued -> running -> completed | failed | cancelled``.

A worker that died mid-job leaves its job ``running``; the queue runs it again, so
``running -> running`` (a new attempt) is allowed. Finished states are final: a late or second
outcome of the same job changes nothing (the outcome is recorded once).
"""

from __future__ import annotations

from enum import StrEnum

from domain.shared.errors import InvalidTransition


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in FINISHED

    @property
    def active(self) -> bool:
        """Queued or running: what the per-user quota counts."""
        return self in ACTIVE


FINISHED = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})
ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})

TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.QUEUED: frozenset({JobStatus.RUNNING, JobStatus.FAILED, JobStatus.CANCELLED}),
    JobStatus.RUNNING: frozenset(
        {JobStatus.RUNNING, JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED}
    ),
    JobStatus.COMPLETED: frozenset(),
    JobStatus.FAILED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
}


def can_move(current: JobStatus, target: JobStatus) -> bool:
    return target in TRANSITIONS[current]


def check_move(current: JobStatus, target: JobStatus) -> None:
    if not can_move(current, target):
        raise InvalidTransition(
            f"A {current.value} job cannot become {target.value}.",
            extra={"status": current.value, "target": target.value},
        )


def clamp_progress(value: int) -> int:
    return max(0, min(100, int(value)))
