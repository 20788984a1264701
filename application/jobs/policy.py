"""The AI jobs module's tunables, from its settings section."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.jobs.source_url import AllowList

TRANSCRIBE_JOB = "jobs.transcribe"
TRYON_JOB = "jobs.tryon"
REAP_JOB = "jobs.reap"


def queue_key(kind: str, job_id: object) -> str:
    """The queue job's key (and id) of a job: one queue job per job, however often it is
    enqueued."""
    return f"{kind}:{job_id}"


def tryon_channel(owner_id: object) -> str:
    """The Broadcaster channel of one user's try-on events (every event names its job): a
    socket subscribes to it when it opens, before it starts any job, so no event of a job
    it starts can come before its subscription."""
    return f"tryon:{owner_id}"


@dataclass(frozen=True, slots=True)
class JobsPolicy:
    max_active_per_user: int = 5
    retry_after_seconds: int = 30
    """``Retry-After`` of a 429 ``too_many_jobs``."""
    transcription_timeout_seconds: float = 600.0
    tryon_timeout_seconds: float = 120.0
    provider_attempts: int = 4
    """Attempts of a job whose provider is unavailable, the first included."""
    retry_delay_seconds: float = 2.0
    stale_after_seconds: float = 120.0
    """A queued or running job untouched this long is looked at by the reaper."""
    progress_every_seconds: float = 0.5
    """At most one progress write to the database per job per this many seconds."""
    allow: AllowList = field(default_factory=AllowList)
