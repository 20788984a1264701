"""Periodic jobs, run at most once per interval across every instance.

Each tick takes a lease in the Cache (``set_if_absent`` with a TTL a little shorter than
the interval): with Redis, one instance among many runs a job per interval; with the memory
cache, each process runs its own (the embedded profile runs one). A failing job is logged
and retried at the next tick; it never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from application.maintenance.commands import EscalateOverdueCommand
from application.shared.cache import Cache
from entrypoints.bootstrap.container import Container, module_container

log = logging.getLogger("atelier.jobs")


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    name: str
    interval_seconds: float
    run: Callable[[], Awaitable[object]]


class JobRunner:
    def __init__(self, jobs: Sequence[PeriodicJob], cache: Cache) -> None:
        self._jobs = tuple(jobs)
        self._cache = cache

    async def run_once(self, job: PeriodicJob) -> bool:
        """Run ``job`` unless another runner holds this interval's lease; True when it ran."""
        lease = max(1.0, job.interval_seconds * 0.9)
        if not await self._cache.set_if_absent(f"jobs:{job.name}", b"1", ttl_seconds=lease):
            return False
        try:
            result = await job.run()
        except Exception:  # a failed tick is retried at the next one
            log.exception("job failed", extra={"job": job.name})
            return False
        log.info("job ran", extra={"job": job.name, "result": repr(result)})
        return True

    async def run_forever(self, stop: asyncio.Event) -> None:
        async def loop(job: PeriodicJob) -> None:
            while not stop.is_set():
                try:
                    await self.run_once(job)
                except Exception:  # the cache itself failed: try again later
                    log.exception("job runner failed", extra={"job": job.name})
                try:
                    await asyncio.wait_for(stop.wait(), timeout=job.interval_seconds)
                except TimeoutError:
                    continue

        await asyncio.gather(*(loop(job) for job in self._jobs))


def periodic_jobs(container: Container) -> list[PeriodicJob]:
    """Every periodic job of the installed modules."""
    maintenance = module_container(container, "maintenance")

    async def escalate_overdue() -> object:
        return await maintenance.escalate_overdue()(EscalateOverdueCommand())

    return [
        PeriodicJob(
            "escalate-overdue", maintenance.config().escalation_check_seconds, escalate_overdue
        ),
    ]


def job_runner(container: Container) -> JobRunner:
    return JobRunner(periodic_jobs(container), container.cache())
