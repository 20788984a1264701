"""The SAQ adapter's sweep on the real Redis: a job left in the active list without being marked
active is re-queued only when two sweeps running found it in the *same* state, so the moment
between a worker's dequeue and its "active" mark, caught at two sweeps for two different
attempts of one job, never re-runs a job that is running."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.queue.saq import SaqJobQueue
from tests.contract.test_job_queue import _drop_saq_keys
from tests.support.queue_jobs import registry


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[SaqJobQueue]:
    name = f"sweep-{uuid.uuid4().hex[:10]}"
    queue = SaqJobQueue(redis_url, registry(), name=name, heartbeat_seconds=1)
    try:
        yield queue
    finally:
        await queue.aclose()
        await _drop_saq_keys(redis_url, name)


async def _caught_between_dequeue_and_active(queue: SaqJobQueue) -> Any:
    """Enqueue a job and move it to the active list as a worker's dequeue does, without the
    worker's next step (marking it active): what a sweep sees in that moment."""
    job_id = await queue.enqueue("echo", {"id": uuid.uuid4().hex})
    assert job_id is not None
    job = await queue.queue.dequeue(timeout=1)
    assert job is not None
    assert job.key == job_id
    return job


async def _sweep(queue: SaqJobQueue) -> list[str]:
    await queue.redis.delete(queue.queue._sweep)  # the interval lock: every call here sweeps
    swept: list[str] = await queue.queue.sweep()
    return swept


async def test_a_job_never_marked_active_over_a_whole_interval_is_swept(
    queue: SaqJobQueue,
) -> None:
    job = await _caught_between_dequeue_and_active(queue)
    assert await _sweep(queue) == []  # perhaps being picked up right now
    assert await _sweep(queue) == [job.id]  # the same state a whole interval later: abandoned
    assert await queue.queue.count("active") == 0


async def test_two_attempts_caught_at_two_sweeps_are_not_swept(queue: SaqJobQueue) -> None:
    job = await _caught_between_dequeue_and_active(queue)
    assert await _sweep(queue) == []
    # the worker marks it active, the attempt fails and is retried, and the next dequeue of
    # the same job is caught by the next sweep in the same moment
    job.attempts += 1
    await job.update(status=job.status.ACTIVE)
    await queue.queue.retry(job, error="failure 1")
    await queue.redis.zadd(queue.queue._incomplete, {job.id: 0})
    await queue.redis.rpush(queue.queue._queued, job.id)  # type: ignore[misc]
    again = await queue.queue.dequeue(timeout=1)
    assert again is not None
    assert again.attempts == 1
    assert await _sweep(queue) == []  # a new attempt in that moment: not the same state
    assert await queue.queue.count("active") == 1
