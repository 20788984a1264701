"""Running the periodic jobs inside a web process (``ATELIER_JOBS_IN_APP=true``).

Each worker process starts the runner; the Cache lease makes one of them (one instance,
with Redis) do each tick. ``atelier worker`` is the alternative for deployments that keep
web processes free of background work.
"""

from __future__ import annotations

import asyncio
import contextlib

from entrypoints.bootstrap.container import Container
from entrypoints.worker.jobs import job_runner


class InAppJobs:
    def __init__(self, container: Container) -> None:
        self._container = container
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._stop.clear()
            runner = job_runner(self._container)
            self._task = asyncio.create_task(runner.run_forever(self._stop), name="atelier-jobs")

    async def stop(self) -> None:
        if self._task is not None:
            self._stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._task, timeout=5)
            self._task = None
