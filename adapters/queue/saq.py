"""The JobQueue port on SAQ (Redis): the production profile's queue, shared by every worker
process of every machine.

How the port maps onto SAQ:

* every job runs through one wrapper (``_runner``) that gives it a :class:`JobContext`, counts
  *failed* attempts in the job's ``meta`` (an attempt cut short by a dead worker is not a
  failure) and applies the definition's timeout itself; SAQ's own ``retries`` is set higher
  (failures allowed + ``CRASH_RERUNS``) and the wrapper stops the retries when the failures
  reach the limit, so a crash re-runs a job while a bug does not loop;
* the wrapper beats a heartbeat (``job.update``) while the job runs; SAQ's sweep (every
  ``sweep_seconds`` on every worker) hands a job whose heartbeat stopped (its worker was
  killed) to another worker;
* unique keys: SAQ keys jobs itself; a key still known to Redis (queued, running, or finished
  and within its ``ttl``) is not enqueued again;
* schedules are SAQ cron jobs; a per-tick ``SET NX`` makes a tick run once however many
  workers scheduled it;
* progress 0-100 is SAQ's ``progress`` 0.0-1.0; cancel is SAQ's ``abort``.

One piece of SAQ is replaced: its sweep treats a job in the active list whose status is not
yet ``active`` as abandoned, but a worker moves a job into that list a moment *before* it marks
it active, so a sweep landing in between re-runs a job that is running. ``_Queue.sweep`` only
sweeps such a job when the previous sweep found it so *in the same state* (same attempt count,
same last touch: a whole sweep interval without being marked active). The same state matters:
the schedule and the sweep tick together, so a retried job can be caught in that moment at two
sweeps running, once per attempt. Jobs whose heartbeat stopped are swept as SAQ does but
without waiting seconds per job for a dead worker to acknowledge the abort.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from adapters.queue.base import FINISHED_TTL_SECONDS, Observer, Registry, retry_delay
from application.shared.jobs import JobDefinition, JobInfo, JobQueue, JobState, Payload
from domain.shared.errors import DependencyUnavailable

log = logging.getLogger("atelier.jobs")

MIN_RETRY_DELAY = 0.05
"""SAQ re-queues a job retried with no delay at its old start time *and* at once, so a delayed
job would run twice: every retry waits at least this long."""
ABORT_WAIT_SECONDS = 3.0
"""A job that saw its cancellation waits this long for SAQ's abort upkeep to end it."""
WORKER_READ_MARGIN_SECONDS = 8.0
CRASH_RERUNS = 5
"""Runs a job may lose to dead workers on top of its failed attempts."""

_STATES = {
    "new": JobState.QUEUED,
    "queued": JobState.QUEUED,
    "active": JobState.RUNNING,
    "aborting": JobState.RUNNING,
    "aborted": JobState.CANCELLED,
    "failed": JobState.FAILED,
    "complete": JobState.COMPLETED,
}


def _queue_class() -> Any:
    from saq.job import Status
    from saq.queue.redis import RedisQueue

    class _Queue(RedisQueue):
        async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
            if not await self.redis.set(self._sweep, b"1", nx=True, ex=lock):
                return []  # another worker sweeps this interval
            suspects_key = self.namespace("suspects:v2")
            previous = await self.redis.hgetall(suspects_key)  # type: ignore[misc]
            active = await self.redis.lrange(self._active, 0, -1)  # type: ignore[misc]
            swept: list[str] = []
            suspects: dict[bytes, bytes] = {}
            for job_id, raw in zip(active, await self.redis.mget(active), strict=True):
                job = self.deserialize(raw) if raw is not None else None
                if job is None:
                    await self.redis.lrem(self._active, 0, job_id)  # type: ignore[misc]
                    await self.redis.zrem(self._incomplete, job_id)
                    swept.append(job_id.decode())
                    continue
                if job.status != Status.ACTIVE and not job.stuck:
                    state = f"{job.attempts}:{job.touched}".encode()
                    if previous.get(job_id) != state:
                        suspects[job_id] = state  # perhaps being picked up right now
                        continue
                elif not job.stuck:
                    continue
                log.info("sweeping abandoned job %s", job.key)
                swept.append(job_id.decode())
                # no waiting for the worker to acknowledge (SAQ waits ``abort`` seconds per
                # job): a worker whose heartbeat stopped is gone
                await self.abort(job, error=self.swept_error_message)
                if job.retryable:
                    await self.retry(job, error=self.swept_error_message)
                else:
                    await self.finish(job, Status.ABORTED, error=self.swept_error_message)
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(suspects_key)
                if suspects:
                    pipe.hset(suspects_key, mapping=suspects)
                    pipe.expire(suspects_key, max(lock * 3, 60))
                await pipe.execute()
            return swept

    return _Queue


def _dt(millis: int | None) -> datetime | None:
    return datetime.fromtimestamp(millis / 1000, UTC) if millis else None


def _unavailable(exc: BaseException) -> DependencyUnavailable:
    return DependencyUnavailable(
        "The job queue is not available; try again shortly.", code="queue_unavailable"
    )


class _Context:
    def __init__(self, job: Any) -> None:
        self._job = job
        self.noticed_cancel = False

    @property
    def job_id(self) -> str:
        return str(self._job.key)

    @property
    def attempt(self) -> int:
        return int(self._job.meta.get("failures", 0)) + 1

    @property
    def max_attempts(self) -> int:
        return int(self._job.meta.get("max_failures", 0)) + 1

    async def progress(self, percent: int) -> None:
        await self._job.update(progress=max(0, min(100, int(percent))) / 100)

    async def cancelled(self) -> bool:
        await self._job.refresh()
        if str(self._job.status.value) in {"aborting", "aborted"}:
            self.noticed_cancel = True
        return self.noticed_cancel


class SaqJobQueue(JobQueue):
    def __init__(
        self,
        url: str,
        registry: Registry,
        *,
        name: str = "atelier",
        socket_timeout: float = 2.0,
        heartbeat_seconds: float = 10.0,
    ) -> None:
        from redis.asyncio import Redis

        # SAQ blocks on purpose for up to a second (BLMOVE): the socket timeout stays above
        # that, so a half-open connection cannot hang a worker; our own calls are bounded
        # by ``asyncio.wait_for`` at ``socket_timeout``.
        client = Redis.from_url(
            url,
            socket_timeout=socket_timeout + WORKER_READ_MARGIN_SECONDS,
            socket_connect_timeout=socket_timeout,
            health_check_interval=30,
        )
        self.timeout = socket_timeout
        self.redis = client
        self.queue = _queue_class()(client, name=name)
        self.registry = registry
        self.heartbeat_seconds = heartbeat_seconds

    async def _call(self, coroutine: Awaitable[Any]) -> Any:
        try:
            return await asyncio.wait_for(coroutine, self.timeout)
        except (OSError, TimeoutError) as exc:
            raise _unavailable(exc) from exc
        except Exception as exc:
            if type(exc).__module__.startswith("redis"):
                raise _unavailable(exc) from exc
            raise

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
        from saq.job import Job

        definition = self.registry.get(name)
        if key is not None and await self._call(self.queue.job(key)) is not None:
            return None
        failures = definition.retries if retries is None else retries
        timeout = timeout_seconds or definition.timeout_seconds
        scheduled = 0
        if run_at is not None:
            scheduled = int(run_at.timestamp())
        elif delay_seconds:
            scheduled = int(time.time() + delay_seconds + 0.999)
        options: dict[str, Any] = {
            "kwargs": {"payload": dict(payload or {})},
            "timeout": int(timeout) + 30,  # the wrapper times out first; SAQ's is a backstop
            "heartbeat": int(self.heartbeat_seconds * 3),
            "retries": failures + 1 + CRASH_RERUNS,
            "retry_delay": max(MIN_RETRY_DELAY, definition.retry_delay_seconds),
            "retry_backoff": definition.max_retry_delay_seconds,
            "ttl": FINISHED_TTL_SECONDS,
            "scheduled": scheduled,
            "meta": {"failures": 0, "max_failures": failures, "timeout": timeout},
        }
        if key is not None:
            options["key"] = key
        job = await self._call(self.queue.enqueue(Job(function=name, **options)))
        return None if job is None else str(job.key)

    async def get(self, job_id: str) -> JobInfo | None:
        job = await self._call(self.queue.job(job_id))
        if job is None:
            return None
        return JobInfo(
            id=str(job.key),
            name=job.function,
            state=_STATES.get(str(job.status.value), JobState.QUEUED),
            progress=round(float(job.progress or 0) * 100),
            attempts=int(job.attempts),
            payload=(job.kwargs or {}).get("payload", {}),
            result=job.result,
            error=job.error,
            enqueued_at=_dt(job.queued),
            started_at=_dt(job.started),
            finished_at=_dt(job.completed),
        )

    async def cancel(self, job_id: str) -> bool:
        from saq.job import Status

        job = await self._call(self.queue.job(job_id))
        if job is None or job.status in {Status.COMPLETE, Status.FAILED, Status.ABORTED}:
            return False
        running = job.status in {Status.ACTIVE, Status.ABORTING}
        await self._call(self.queue.abort(job, error="cancelled"))
        if not running:  # no worker holds it: it is cancelled now
            await self._call(self.queue.finish(job, Status.ABORTED, error="cancelled"))
        return True

    async def depth(self) -> int:
        return int(await self._call(self.queue.count("queued")))

    async def ping(self) -> None:
        await self._call(self.redis.ping())  # type: ignore[arg-type]

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):
            await self.queue.disconnect()

    # -- the worker side ----------------------------------------------------------------
    def _runner(
        self, definition: JobDefinition, observer: Observer | None
    ) -> Callable[..., Coroutine[Any, Any, Any]]:
        async def run(ctx: dict[str, Any], *, payload: dict[str, Any] | None = None) -> Any:
            job = ctx["job"]
            started = time.perf_counter()
            beat = asyncio.create_task(self._beat(job))
            outcome = "completed"
            context = _Context(job)
            try:
                result = await asyncio.wait_for(
                    definition.run(context, payload or {}),
                    float(job.meta.get("timeout", definition.timeout_seconds)),
                )
                if context.noticed_cancel:  # SAQ's abort upkeep ends it as aborted
                    outcome = "cancelled"
                    await asyncio.sleep(ABORT_WAIT_SECONDS)
                return result
            except TimeoutError:
                outcome = "timeout"
                self._count_failure(job, definition)
                raise
            except asyncio.CancelledError:
                outcome = "cancelled"
                raise
            except Exception:
                outcome = "failed"
                self._count_failure(job, definition)
                raise
            finally:
                beat.cancel()
                if observer is not None:
                    observer(definition.name, time.perf_counter() - started, outcome)

        run.__qualname__ = definition.name
        return run

    @staticmethod
    def _count_failure(job: Any, definition: JobDefinition) -> None:
        failures = int(job.meta.get("failures", 0)) + 1
        job.meta["failures"] = failures
        if failures > int(job.meta.get("max_failures", 0)):
            job.retries = job.attempts  # no more retries: SAQ records it failed
        else:  # our backoff (by failures, not by runs)
            delay = max(MIN_RETRY_DELAY, retry_delay(definition, failures))
            job.retry_delay, job.retry_backoff = delay, False

    async def _beat(self, job: Any) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            with contextlib.suppress(Exception):
                await job.update()

    def _cron_runner(
        self, definition: JobDefinition, observer: Observer | None, name: str
    ) -> Callable[..., Coroutine[Any, Any, Any]]:
        inner = self._runner(definition, observer)

        async def run(ctx: dict[str, Any], **kwargs: Any) -> Any:
            job = ctx["job"]
            tick = int(job.scheduled or time.time())
            once = f"saq:{self.queue.name}:tick:{name}:{tick}"
            mine = f"{job.key}:{job.queued}".encode()  # this enqueue of the tick's job
            claimed = await self.redis.set(once, mine, nx=True, ex=FINISHED_TTL_SECONDS)
            if not claimed and await self.redis.get(once) != mine:
                return {"skipped": "this tick ran already"}
            # claimed now, or claimed by this very job before its worker died: run it
            return await inner(ctx, payload=kwargs.get("payload"))

        run.__qualname__ = name
        return run

    def worker(
        self,
        *,
        concurrency: int = 10,
        observer: Observer | None = None,
        sweep_seconds: float = 10.0,
        handle_signals: bool = False,
        grace_seconds: float = 5.0,
    ) -> SaqWorker:
        from saq.job import CronJob

        functions: list[tuple[str, Any]] = [
            (d.name, self._runner(d, observer)) for d in self.registry.definitions.values()
        ]
        cron_jobs = []
        for schedule in self.registry.schedules:
            cron_name = f"cron:{schedule.job}"
            run = self._cron_runner(self.registry.get(schedule.job), observer, cron_name)
            functions.append((cron_name, run))
            cron_jobs.append(
                CronJob(
                    run,
                    cron=schedule.cron,
                    unique=True,
                    timeout=int(self.registry.get(schedule.job).timeout_seconds) + 30,
                    kwargs={"payload": dict(schedule.payload)},
                )
            )
        return SaqWorker(
            self,
            functions,
            cron_jobs,
            concurrency=concurrency,
            sweep_seconds=sweep_seconds,
            handle_signals=handle_signals,
            grace_seconds=grace_seconds,
        )


class SaqWorker:
    """SAQ's worker in the background of the current event loop."""

    def __init__(
        self,
        queue: SaqJobQueue,
        functions: list[tuple[str, Any]],
        cron_jobs: list[Any],
        *,
        concurrency: int,
        sweep_seconds: float,
        handle_signals: bool,
        grace_seconds: float,
    ) -> None:
        from saq import Worker

        class _Worker(Worker[Any]):
            # inside `atelier serve` the server owns the signals
            SIGNALS = Worker.SIGNALS if handle_signals else []
            upkeep_tasks: list[asyncio.Task[None]] = []  # replaced per worker by upkeep()

            async def upkeep(self) -> list[asyncio.Task[None]]:
                self.upkeep_tasks = await super().upkeep()
                return self.upkeep_tasks

        self._worker = _Worker(
            queue.queue,
            functions=functions,
            cron_jobs=cron_jobs,
            concurrency=concurrency,
            timers={"sweep": max(1, int(sweep_seconds)), "schedule": 1, "abort": 1},  # type: ignore[arg-type]
            shutdown_grace_period_s=max(1, round(grace_seconds)),
            # block at most 1 s per dequeue: within the Redis socket timeout
            dequeue_timeout=1,
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._worker.start(), name="atelier-saq-worker")

    async def stop(self) -> None:
        if self._task is not None:
            # The upkeep loops (sweep, schedule, abort, worker info) sleep between rounds and
            # have nothing to finish: stop them now, so that SAQ's shutdown grace period is
            # spent only on running jobs (it would otherwise always wait it out in full).
            if getattr(self._worker, "event", None) is not None:
                self._worker.event.set()
            for task in self._worker.upkeep_tasks:
                task.cancel()
            await self._worker.stop()
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
