"""The in-process job queue: a store (SQLite file or memory) and a worker on this event loop.

Why hand-written: no maintained job engine runs on SQLite inside the serving process (SAQ,
arq, Celery, Dramatiq need Redis or a broker). This one keeps to the JobQueue contract:

* a job is *claimed* with a lease (``lease_until``); the worker renews the lease while the
  job runs (with every progress report, and on a heartbeat), so a job whose process died is
  claimed again once its lease expires: crash re-runs do not count as failed attempts;
* a failed attempt is retried after an exponential backoff with jitter, up to ``retries``;
* an attempt past ``timeout_seconds`` is cancelled and counts as a failed attempt;
* ``key`` is the job's id: a second enqueue while the job is stored does nothing;
* schedules are enqueued with the key ``cron:<job>:<tick>``, so several workers on one store
  run a tick once;
* finished jobs are forgotten after ``FINISHED_TTL_SECONDS``.

``SqliteJobStore`` keeps jobs in their own SQLite file (mode 0600), apart from the
application's database, so the queue's writes never wait for the application's write lock.
``MemoryJobStore`` keeps them in process memory (the ``memory`` persistence profile).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import msgspec

from adapters.queue.base import (
    FINISHED_TTL_SECONDS,
    Observer,
    Registry,
    describe,
    retry_delay,
)
from application.shared.jobs import (
    FINISHED_STATES,
    JobInfo,
    JobQueue,
    JobState,
    Payload,
)
from domain.shared.errors import DependencyUnavailable

log = logging.getLogger("atelier.jobs")

Q, R = JobState.QUEUED.value, JobState.RUNNING.value


@dataclass(slots=True)
class StoredJob:
    id: str
    name: str
    payload: dict[str, Any]
    state: str = Q
    progress: int = 0
    attempts: int = 0
    """Runs started (crash re-runs included)."""
    failures: int = 0
    """Attempts that failed (an exception or a timeout)."""
    retries: int = 0
    timeout: float = 300.0
    run_at: float = 0.0
    lease_until: float = 0.0
    worker: str = ""
    cancel_requested: bool = False
    result: Any = None
    error: str | None = None
    enqueued_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None


def _dt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def info_of(job: StoredJob) -> JobInfo:
    return JobInfo(
        id=job.id,
        name=job.name,
        state=JobState(job.state),
        progress=job.progress,
        attempts=job.attempts,
        payload=job.payload,
        result=job.result,
        error=job.error,
        enqueued_at=_dt(job.enqueued_at),
        started_at=_dt(job.started_at),
        finished_at=_dt(job.finished_at),
    )


class JobStore(Protocol):
    async def insert(self, job: StoredJob) -> bool:
        """False when a job with this id is stored already."""
        ...

    async def claim(self, now: float, lease_seconds: float, worker: str) -> StoredJob | None:
        """The next due queued job, or a running one whose lease expired, now leased."""
        ...

    async def save(self, job: StoredJob) -> None: ...

    async def renew(
        self, job_id: str, worker: str, lease_until: float, progress: int | None
    ) -> bool:
        """Extend the lease of a job this worker holds; False when it holds it no more or a
        cancellation was asked for."""
        ...

    async def get(self, job_id: str) -> StoredJob | None: ...

    async def request_cancel(self, job_id: str, now: float) -> bool: ...

    async def depth(self, now: float) -> int: ...

    async def purge(self, before: float) -> int: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class MemoryJobStore(JobStore):
    def __init__(self) -> None:
        self._jobs: dict[str, StoredJob] = {}

    async def insert(self, job: StoredJob) -> bool:
        if job.id in self._jobs:
            return False
        self._jobs[job.id] = replace(job)
        return True

    async def claim(self, now: float, lease_seconds: float, worker: str) -> StoredJob | None:
        due = [
            j
            for j in self._jobs.values()
            if (j.state == Q and j.run_at <= now) or (j.state == R and j.lease_until < now)
        ]
        if not due:
            return None
        job = min(due, key=lambda j: (j.run_at, j.enqueued_at))
        job.state, job.lease_until, job.worker = R, now + lease_seconds, worker
        job.attempts += 1
        job.started_at = now
        return replace(job)

    async def save(self, job: StoredJob) -> None:
        self._jobs[job.id] = replace(job)

    async def renew(
        self, job_id: str, worker: str, lease_until: float, progress: int | None
    ) -> bool:
        job = self._jobs.get(job_id)
        if job is None or job.state != R or job.worker != worker:
            return False
        job.lease_until = lease_until
        if progress is not None:
            job.progress = progress
        return not job.cancel_requested

    async def get(self, job_id: str) -> StoredJob | None:
        job = self._jobs.get(job_id)
        return None if job is None else replace(job)

    async def request_cancel(self, job_id: str, now: float) -> bool:
        job = self._jobs.get(job_id)
        if job is None or job.state in _FINISHED:
            return False
        if job.state == Q:
            job.state, job.finished_at, job.error = JobState.CANCELLED.value, now, "cancelled"
        else:
            job.cancel_requested = True
        return True

    async def depth(self, now: float) -> int:
        return sum(1 for j in self._jobs.values() if j.state == Q)

    async def purge(self, before: float) -> int:
        old = [
            k
            for k, j in self._jobs.items()
            if j.state in _FINISHED and (j.finished_at or 0) < before
        ]
        for key in old:
            del self._jobs[key]
        return len(old)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


_FINISHED = frozenset(state.value for state in FINISHED_STATES)
_COLUMNS = tuple(StoredJob.__dataclass_fields__)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL,
    progress INTEGER NOT NULL, attempts INTEGER NOT NULL, failures INTEGER NOT NULL,
    retries INTEGER NOT NULL, timeout REAL NOT NULL, run_at REAL NOT NULL,
    lease_until REAL NOT NULL, worker TEXT NOT NULL, cancel_requested INTEGER NOT NULL,
    result TEXT, error TEXT, enqueued_at REAL NOT NULL, started_at REAL, finished_at REAL
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, run_at);
CREATE INDEX IF NOT EXISTS jobs_lease ON jobs (state, lease_until);
"""


_RETURNING = ", ".join(_COLUMNS)
_CLAIM = (
    "UPDATE jobs SET state = ?, lease_until = ?, worker = ?, attempts = attempts + 1, "
    "started_at = ? WHERE id = (SELECT id FROM jobs WHERE (state = ? AND run_at <= ?) "
    "OR (state = ? AND lease_until < ?) ORDER BY run_at, enqueued_at LIMIT 1) "
    f"RETURNING {_RETURNING}"
)


def _row(job: StoredJob) -> tuple[Any, ...]:
    values = []
    for name in _COLUMNS:
        value = getattr(job, name)
        if name in {"payload", "result"}:
            value = None if value is None and name == "result" else msgspec.json.encode(value)
        elif name == "cancel_requested":
            value = int(value)
        values.append(value)
    return tuple(values)


def _daemon(connection: Any) -> Any:
    """An aiosqlite connection whose worker thread never holds up the process's exit, as
    SQLAlchemy's aiosqlite dialect makes its own: since aiosqlite 0.22 the connection holds
    a (non-daemon) thread, and one left open (a connect cancelled half-way, a store never
    closed) kept the interpreter waiting for it at exit, forever."""
    thread = connection if isinstance(connection, threading.Thread) else connection._thread
    thread.daemon = True
    return connection


def _job(row: Any) -> StoredJob:
    data = dict(zip(_COLUMNS, row, strict=True))
    data["payload"] = msgspec.json.decode(data["payload"])
    data["result"] = None if data["result"] is None else msgspec.json.decode(data["result"])
    data["cancel_requested"] = bool(data["cancel_requested"])
    return StoredJob(**data)


class SqliteJobStore(JobStore):
    """Jobs in their own SQLite file; every write is one short transaction."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = 5_000) -> None:
        self._path = Path(path)
        self._busy = busy_timeout_ms
        self._conn: Any = None
        self._lock = asyncio.Lock()

    async def _connection(self) -> Any:
        if self._conn is None:
            import aiosqlite

            self._path.parent.mkdir(parents=True, exist_ok=True)
            if not self._path.exists():
                os.close(os.open(self._path, os.O_CREAT | os.O_WRONLY, 0o600))
            conn = await _daemon(aiosqlite.connect(self._path, isolation_level=None))
            await conn.execute(f"PRAGMA busy_timeout={int(self._busy)}")
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.executescript(_SCHEMA)
            self._conn = conn
        return self._conn

    async def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        async with self._lock:
            try:
                conn = await self._connection()
                cursor = await conn.execute(sql, params)
                rows = await cursor.fetchall()
                await cursor.close()
                return list(rows)
            except Exception as exc:
                if type(exc).__name__ in {"OperationalError", "DatabaseError"}:
                    raise DependencyUnavailable(
                        "The job queue is not available; try again shortly.",
                        code="queue_unavailable",
                    ) from exc
                raise

    async def insert(self, job: StoredJob) -> bool:
        marks = ", ".join("?" for _ in _COLUMNS)
        rows = await self._run(
            f"INSERT INTO jobs ({', '.join(_COLUMNS)}) VALUES ({marks}) "
            "ON CONFLICT (id) DO NOTHING RETURNING id",
            _row(job),
        )
        return bool(rows)

    async def claim(self, now: float, lease_seconds: float, worker: str) -> StoredJob | None:
        rows = await self._run(
            _CLAIM,
            (R, now + lease_seconds, worker, now, Q, now, R, now),
        )
        return _job(rows[0]) if rows else None

    async def save(self, job: StoredJob) -> None:
        sets = ", ".join(f"{name} = ?" for name in _COLUMNS[1:])
        await self._run(f"UPDATE jobs SET {sets} WHERE id = ?", (*_row(job)[1:], job.id))

    async def renew(
        self, job_id: str, worker: str, lease_until: float, progress: int | None
    ) -> bool:
        rows = await self._run(
            "UPDATE jobs SET lease_until = ?, progress = COALESCE(?, progress) "
            "WHERE id = ? AND state = ? AND worker = ? RETURNING cancel_requested",
            (lease_until, progress, job_id, R, worker),
        )
        return bool(rows) and not rows[0][0]

    async def get(self, job_id: str) -> StoredJob | None:
        rows = await self._run(f"SELECT {', '.join(_COLUMNS)} FROM jobs WHERE id = ?", (job_id,))
        return _job(rows[0]) if rows else None

    async def request_cancel(self, job_id: str, now: float) -> bool:
        queued = await self._run(
            "UPDATE jobs SET state = ?, finished_at = ?, error = 'cancelled' "
            "WHERE id = ? AND state = ? RETURNING id",
            (JobState.CANCELLED.value, now, job_id, Q),
        )
        if queued:
            return True
        running = await self._run(
            "UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND state = ? RETURNING id",
            (job_id, R),
        )
        return bool(running)

    async def depth(self, now: float) -> int:
        rows = await self._run("SELECT COUNT(*) FROM jobs WHERE state = ?", (Q,))
        return int(rows[0][0])

    async def purge(self, before: float) -> int:
        rows = await self._run(
            "DELETE FROM jobs WHERE state IN (?, ?, ?) AND finished_at < ? RETURNING id",
            (*sorted(_FINISHED), before),
        )
        return len(rows)

    async def ping(self) -> None:
        await self._run("SELECT 1")

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()


class LocalJobQueue(JobQueue):
    """The JobQueue port over a :class:`JobStore`; ``wake`` tells workers of this process."""

    def __init__(self, store: JobStore, registry: Registry) -> None:
        self.store = store
        self.registry = registry
        self.wake = asyncio.Event()

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
        definition = self.registry.get(name)
        now = time.time()
        due = run_at.timestamp() if run_at is not None else now + (delay_seconds or 0.0)
        job = StoredJob(
            id=key or uuid.uuid4().hex,
            name=name,
            payload=dict(payload or {}),
            retries=definition.retries if retries is None else retries,
            timeout=timeout_seconds or definition.timeout_seconds,
            run_at=due,
            enqueued_at=now,
        )
        if not await self.store.insert(job):
            return None
        self.wake.set()
        return job.id

    async def get(self, job_id: str) -> JobInfo | None:
        job = await self.store.get(job_id)
        return None if job is None else info_of(job)

    async def cancel(self, job_id: str) -> bool:
        return await self.store.request_cancel(job_id, time.time())

    async def depth(self) -> int:
        return await self.store.depth(time.time())

    async def ping(self) -> None:
        await self.store.ping()

    async def aclose(self) -> None:
        await self.store.close()


class _Context:
    def __init__(self, worker: LocalWorker, job: StoredJob) -> None:
        self._worker, self._job = worker, job
        self._cancelled = False
        self.noticed_cancel = False

    @property
    def job_id(self) -> str:
        return self._job.id

    @property
    def attempt(self) -> int:
        return self._job.failures + 1

    @property
    def max_attempts(self) -> int:
        return self._job.retries + 1

    async def progress(self, percent: int) -> None:
        percent = max(0, min(100, int(percent)))
        self._job.progress = percent
        if not await self._worker.renew(self._job, percent):
            self._cancelled = True

    async def cancelled(self) -> bool:
        if not self._cancelled and not await self._worker.renew(self._job, None):
            self._cancelled = True
        self.noticed_cancel = self.noticed_cancel or self._cancelled
        return self._cancelled


@dataclass
class LocalWorker:
    """Runs the queue's jobs on this event loop: ``concurrency`` at a time."""

    queue: LocalJobQueue
    concurrency: int = 10
    lease_seconds: float = 30.0
    poll_seconds: float = 0.5
    observer: Observer | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        if self._tasks:
            return
        self._stopping.clear()
        self._tasks = [
            asyncio.create_task(self._loop(), name=f"atelier-job-{i}")
            for i in range(self.concurrency)
        ]
        self._tasks.append(asyncio.create_task(self._housekeeping(), name="atelier-jobs-upkeep"))
        for schedule in self.queue.registry.schedules:
            self._tasks.append(
                asyncio.create_task(self._cron(schedule.job, schedule.cron, schedule.payload))
            )

    async def stop(self) -> None:
        self._stopping.set()
        self.queue.wake.set()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def renew(self, job: StoredJob, progress: int | None) -> bool:
        return await self.queue.store.renew(
            job.id, self.id, time.time() + self.lease_seconds, progress
        )

    async def _wait(self) -> None:
        wake = self.queue.wake
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), self.poll_seconds)
        wake.clear()

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                job = await self.queue.store.claim(time.time(), self.lease_seconds, self.id)
            except Exception:  # the store is unavailable: try again later
                log.warning("job queue claim failed", exc_info=True)
                await asyncio.sleep(self.poll_seconds)
                continue
            if job is None:
                await self._wait()
                continue
            await self._run(job)

    async def _run(self, job: StoredJob) -> None:
        definition = self.queue.registry.definitions.get(job.name)
        started = time.perf_counter()
        context = _Context(self, job)
        outcome = "completed"
        if definition is None:
            job.state, job.error = JobState.FAILED.value, f"no job is named {job.name!r}"
            job.finished_at = time.time()
            await self.queue.store.save(job)
            return
        task: asyncio.Task[Any] = asyncio.ensure_future(definition.run(context, job.payload))
        heartbeat = asyncio.create_task(self._heartbeat(job, task, context))
        try:
            job.result = await asyncio.wait_for(task, job.timeout)
            if context.noticed_cancel:  # it saw the cancellation and stopped by itself
                outcome = "cancelled"
                job.state, job.error = JobState.CANCELLED.value, "cancelled"
            else:
                job.state, job.error, job.progress = JobState.COMPLETED.value, None, 100
        except asyncio.CancelledError:
            if self._stopping.is_set():  # shutting down: release it for a worker to run again
                heartbeat.cancel()
                job.state, job.lease_until = Q, 0.0
                with contextlib.suppress(Exception):
                    await self.queue.store.save(job)
                raise
            outcome = "cancelled"
            job.state, job.error = JobState.CANCELLED.value, "cancelled"
        except TimeoutError:
            outcome = "timeout"
            self._failed(job, definition, f"timed out after {job.timeout:g} s")
        except Exception as exc:
            outcome = "failed"
            log.warning("job %s failed", job.name, exc_info=True)
            self._failed(job, definition, describe(exc))
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        if job.state in _FINISHED:
            job.finished_at = time.time()
        job.lease_until, job.worker = 0.0, ""
        try:
            await self.queue.store.save(job)
        except Exception:  # its lease will expire and it will run again: effects are idempotent
            log.warning("could not record the outcome of job %s", job.id, exc_info=True)
        if self.observer is not None:
            self.observer(job.name, time.perf_counter() - started, outcome)
        log.debug("job ran", extra={"job": job.name, "job_id": job.id, "outcome": outcome})

    @staticmethod
    def _failed(job: StoredJob, definition: Any, error: str) -> None:
        job.failures += 1
        job.error = error
        if job.failures > job.retries:
            job.state = JobState.FAILED.value
        else:
            job.state = Q
            job.run_at = time.time() + retry_delay(definition, job.failures)

    async def _heartbeat(self, job: StoredJob, task: asyncio.Task[Any], context: _Context) -> None:
        while not task.done():
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                alive = await self.renew(job, None)
            except Exception:
                log.debug("lease renewal failed", exc_info=True)
                continue
            if not alive:
                context._cancelled = True
                task.cancel()
                return

    async def _housekeeping(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(Exception):
                await self.queue.store.purge(time.time() - FINISHED_TTL_SECONDS)
            await asyncio.sleep(600)

    async def _cron(self, name: str, expression: str, payload: Mapping[str, Any]) -> None:
        from croniter import croniter

        while not self._stopping.is_set():
            tick = croniter(expression, datetime.now(UTC)).get_next(float)
            await asyncio.sleep(max(0.0, tick - time.time()))
            try:
                await self.queue.enqueue(name, dict(payload), key=f"cron:{name}:{int(tick)}")
            except Exception:
                log.warning("could not enqueue the scheduled job %s", name, exc_info=True)
