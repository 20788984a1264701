"""The JobQueue port: named background jobs that survive a crash and scale out.

Every piece of background work of every module goes through this port: event deliveries
(the outbox relay enqueues one job per subscriber), retried side effects (mail, object
deletion), long AI work with progress, and periodic checks (``Schedule``).

A job is a *name* (registered once, by the module that owns it, as a :class:`JobDefinition`)
and a JSON-compatible *payload* (a mapping of str to JSON values; adapters serialise it).
The adapters (SAQ on Redis in production, a SQLite-backed queue on the embedded profile, an
in-process one for the memory profile) all pass one contract suite:

* ``enqueue`` -> the job runs once, its result is readable with ``get``;
* a failing job is retried ``retries`` times with exponential backoff, then ``failed``;
* a job running past its ``timeout_seconds`` is stopped and counts as a failed attempt;
* a second ``enqueue`` with the same ``key`` while the first is known is a no-op (returns
  ``None``);
* ``delay_seconds`` / ``run_at`` hold a job back until then;
* ``JobContext.progress`` is readable through ``get`` while the job runs;
* a worker process killed mid-job (SIGKILL) does not lose the job: another worker (or the
  same one restarted) runs it again to completion.

Jobs therefore run *at least once*: a job whose effect must happen once makes itself
idempotent (event handlers do so through the inbox, see ``integration.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

#: A JSON value: what payloads and results are made of.
Json = Any
Payload = Mapping[str, Json]


class JobState(StrEnum):
    QUEUED = "queued"
    """Waiting to run (including a delayed job and a job waiting for its next retry)."""
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    """Every attempt failed (or it timed out every time)."""
    CANCELLED = "cancelled"


FINISHED_STATES = frozenset({JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED})


@dataclass(frozen=True, slots=True)
class JobInfo:
    """What ``JobQueue.get`` reads of a job."""

    id: str
    name: str
    state: JobState
    progress: int
    """0 to 100, as last reported by the job (``JobContext.progress``)."""
    attempts: int
    """Attempts started so far (1 while the first runs)."""
    payload: Payload
    result: Json = None
    error: str | None = None
    """The last attempt's error, readable by an operator (never a secret)."""
    enqueued_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


class JobContext(Protocol):
    """Handed to a running job."""

    @property
    def job_id(self) -> str: ...

    @property
    def attempt(self) -> int:
        """1 for the first attempt, 2 for the first retry, ..."""
        ...

    @property
    def max_attempts(self) -> int:
        """``retries + 1``: when ``attempt == max_attempts`` this is the last chance."""
        ...

    async def progress(self, percent: int) -> None:
        """Record progress (0-100), readable through ``JobQueue.get`` while the job runs.
        It also tells the queue the job is alive (a heartbeat)."""
        ...

    async def cancelled(self) -> bool:
        """True once ``JobQueue.cancel`` was called for this job; a long job checks it
        between steps (the adapters also cancel the job's task)."""
        ...


#: A job's code: ``async def run(ctx, payload) -> result`` (a JSON value or None).
JobFunction = Callable[[JobContext, Payload], Awaitable[Json]]


@dataclass(frozen=True, slots=True)
class JobDefinition:
    """A named job and its defaults; modules declare theirs in their module spec."""

    name: str
    run: JobFunction
    retries: int = 0
    """Extra attempts after a failure (0: run once)."""
    retry_delay_seconds: float = 1.0
    """Delay before the first retry; doubled for each further retry (with jitter)."""
    max_retry_delay_seconds: float = 300.0
    timeout_seconds: float = 300.0
    """An attempt running longer than this is stopped and counts as failed."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """A periodic job: ``job`` (a registered name) enqueued once per tick across every
    worker process of every machine. ``cron`` is a cron expression in UTC: five fields, or
    six with the seconds last (``* * * * * */10``: every ten seconds)."""

    job: str
    cron: str
    payload: Payload = field(default_factory=dict)


class JobQueue(Protocol):
    async def enqueue(
        self,
        name: str,
        payload: Payload | None = None,
        *,
        key: str | None = None,
        delay_seconds: float | None = None,
        run_at: datetime | None = None,
        retries: int | None = None,
        timeout_seconds: float | None = None,
    ) -> str | None:
        """Queue job ``name`` (a registered definition; unknown names raise ``ValueError``)
        and return its id. With ``key``, the id *is* the key and a second enqueue while a job
        with that key is known (queued, running, or finished and not yet expired) does nothing
        and returns ``None``. ``delay_seconds`` or ``run_at`` hold it back; ``retries`` and
        ``timeout_seconds`` override the definition's defaults."""
        ...

    async def get(self, job_id: str) -> JobInfo | None:
        """The job's state, progress and outcome; None when unknown or expired."""
        ...

    async def cancel(self, job_id: str) -> bool:
        """Cancel a queued or running job (a running one is stopped by its worker);
        True when the job existed and was not finished."""
        ...

    async def depth(self) -> int:
        """Jobs queued and not yet started (for ``/metrics``)."""
        ...

    async def ping(self) -> None:
        """Return when the queue's backend answers (for ``/health/ready``)."""
        ...
