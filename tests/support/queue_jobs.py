"""Jobs for the job-queue contract suite, and a worker process to kill (``python -m
tests.support.queue_jobs <kind> <target> <queue name> <effects file> <seconds>``)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from adapters.queue.base import Registry
from application.shared.jobs import JobContext, JobDefinition, Payload, Schedule

#: How many times each test's jobs ran (key: the payload's "id").
RUNS: Counter[str] = Counter()


async def echo(ctx: JobContext, payload: Payload) -> Any:
    RUNS[payload.get("id", "echo")] += 1
    return {"echo": dict(payload), "attempt": ctx.attempt}


async def flaky(ctx: JobContext, payload: Payload) -> Any:
    RUNS[payload["id"]] += 1
    if ctx.attempt <= int(payload["fail"]):
        raise RuntimeError(f"failure {ctx.attempt}")
    return {"succeeded_on": ctx.attempt}


async def steps(ctx: JobContext, payload: Payload) -> Any:
    for step in range(1, 5):
        await ctx.progress(step * 25 - 15)
        await asyncio.sleep(float(payload["step"]))
    RUNS[payload["id"]] += 1
    return "done"


async def sleepy(ctx: JobContext, payload: Payload) -> Any:
    RUNS[payload["id"]] += 1
    await asyncio.sleep(30)


async def patient(ctx: JobContext, payload: Payload) -> Any:
    RUNS[payload["id"]] += 1
    for _ in range(600):
        if await ctx.cancelled():
            return "noticed"
        await asyncio.sleep(0.05)
    return "never cancelled"


async def tick(ctx: JobContext, payload: Payload) -> Any:
    RUNS[f"tick:{int(time.time())}"] += 1  # the second it ran in: one run per tick


async def crashable(ctx: JobContext, payload: Payload) -> Any:
    """Appends a line when it starts and when it ends, to the effects file."""
    path = Path(payload["effects"])
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"start {os.getpid()}\n")
    await asyncio.sleep(float(payload["seconds"]))
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"end {os.getpid()}\n")
    return "done"


def registry(*schedules: Schedule) -> Registry:
    return Registry(
        [
            JobDefinition("echo", echo),
            JobDefinition(
                "flaky", flaky, retries=3, retry_delay_seconds=0.05, max_retry_delay_seconds=0.1
            ),
            JobDefinition("flaky_now", flaky, retries=2, retry_delay_seconds=0.0),
            JobDefinition("steps", steps, timeout_seconds=30),
            JobDefinition(
                "sleepy", sleepy, retries=1, retry_delay_seconds=0.05, timeout_seconds=0.5
            ),
            JobDefinition("patient", patient, timeout_seconds=60),
            JobDefinition("tick", tick),
            JobDefinition("crashable", crashable, timeout_seconds=120),
        ],
        schedules,
    )


async def _serve(kind: str, target: str, queue_name: str) -> None:
    from adapters.queue.local import LocalJobQueue, LocalWorker, SqliteJobStore
    from adapters.queue.saq import SaqJobQueue

    worker: Any
    if kind == "sqlite":
        worker = LocalWorker(
            LocalJobQueue(SqliteJobStore(Path(target)), registry()), lease_seconds=1.5
        )
    else:
        queue = SaqJobQueue(target, registry(), name=queue_name, heartbeat_seconds=1)
        worker = queue.worker(sweep_seconds=2)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await worker.start()
    print("ready", flush=True)
    await stop.wait()
    await worker.stop()


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1], sys.argv[2], sys.argv[3]))
