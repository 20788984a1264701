"""Contract of the JobQueue port on every adapter: in memory, SQLite (the embedded profile's)
and SAQ on the real Redis (the production profile's)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.queue.base import Registry
from adapters.queue.local import LocalJobQueue, LocalWorker, MemoryJobStore, SqliteJobStore
from adapters.queue.saq import SaqJobQueue
from application.shared.jobs import JobInfo, JobQueue, JobState, Schedule
from tests.support import queue_jobs
from tests.support.queue_jobs import RUNS, registry

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Backend:
    kind: str
    make: Callable[[Registry], tuple[JobQueue, Any]]
    """A queue and a worker on the same store, for a registry."""
    opened: list[Any] = field(default_factory=list)

    async def start(self, reg: Registry | None = None, workers: int = 1) -> JobQueue:
        queue = None
        for _ in range(workers):
            queue, worker = self.make(reg or registry())
            await worker.start()
            self.opened.append((queue, worker))
        assert queue is not None
        return queue

    async def close(self) -> None:
        for queue, worker in reversed(self.opened):
            await worker.stop()
            closer = getattr(queue, "aclose", None)
            if closer is not None:
                await closer()


async def _drop_saq_keys(url: str, name: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        keys = [k async for k in client.scan_iter(match=f"saq:{name}:*")]
        keys += [k async for k in client.scan_iter(match=f"saq:job:{name}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture(params=["memory", "sqlite", "saq"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    kind = request.param
    if kind == "memory":
        store = MemoryJobStore()

        def make(reg: Registry) -> tuple[JobQueue, Any]:
            queue = LocalJobQueue(store, reg)
            return queue, LocalWorker(queue, concurrency=4, lease_seconds=2, poll_seconds=0.05)

    elif kind == "sqlite":
        path = tmp_path / "queue.db"

        def make(reg: Registry) -> tuple[JobQueue, Any]:
            queue = LocalJobQueue(SqliteJobStore(path), reg)
            return queue, LocalWorker(queue, concurrency=4, lease_seconds=2, poll_seconds=0.05)

    else:
        url: str = request.getfixturevalue("redis_url")
        name = f"test-{uuid.uuid4().hex[:10]}"

        def make(reg: Registry) -> tuple[JobQueue, Any]:
            queue = SaqJobQueue(url, reg, name=name, heartbeat_seconds=1)
            return queue, queue.worker(concurrency=4, sweep_seconds=2, grace_seconds=1)

    backend = Backend(kind, make)
    try:
        yield backend
    finally:
        await backend.close()
        if kind == "saq":
            await _drop_saq_keys(url, name)


async def until(
    check: Callable[[], Awaitable[JobInfo | None]],
    predicate: Callable[[JobInfo], bool],
    seconds: float = 15.0,
) -> JobInfo:
    deadline = time.monotonic() + seconds
    info = await check()
    while info is None or not predicate(info):
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met in {seconds} s; last seen {info}")
        await asyncio.sleep(0.05)
        info = await check()
    return info


def finished(info: JobInfo) -> bool:
    return info.state in {JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED}


def tag() -> str:
    return uuid.uuid4().hex


async def test_a_job_runs_and_its_result_is_readable(backend: Backend) -> None:
    queue = await backend.start()
    job_id = await queue.enqueue("echo", {"id": (t := tag()), "n": 7})
    assert job_id is not None
    info = await until(lambda: queue.get(job_id), finished)
    assert info.state is JobState.COMPLETED
    assert info.result == {"echo": {"id": t, "n": 7}, "attempt": 1}
    assert info.name == "echo"
    assert info.payload == {"id": t, "n": 7}
    assert RUNS[t] == 1


async def test_an_unknown_job_name_is_refused(backend: Backend) -> None:
    queue = await backend.start()
    with pytest.raises(ValueError, match="no job is named"):
        await queue.enqueue("no-such-job", {})
    assert await queue.get("never-enqueued") is None


@pytest.mark.slow
async def test_a_failing_job_is_retried_then_succeeds(backend: Backend) -> None:
    queue = await backend.start()
    job_id = await queue.enqueue("flaky", {"id": (t := tag()), "fail": 2})
    assert job_id is not None
    info = await until(lambda: queue.get(job_id), finished, seconds=30)
    assert info.state is JobState.COMPLETED
    assert info.result == {"succeeded_on": 3}
    assert RUNS[t] == 3


@pytest.mark.slow
async def test_a_job_that_keeps_failing_ends_failed_with_its_error(backend: Backend) -> None:
    queue = await backend.start()
    job_id = await queue.enqueue("flaky", {"id": (t := tag()), "fail": 99}, retries=1)
    assert job_id is not None
    info = await until(lambda: queue.get(job_id), finished, seconds=30)
    assert info.state is JobState.FAILED
    assert "failure 2" in (info.error or "")
    assert RUNS[t] == 2  # the first attempt and one retry


@pytest.mark.slow
async def test_an_attempt_past_its_timeout_fails_and_is_retried(backend: Backend) -> None:
    queue = await backend.start()
    job_id = await queue.enqueue("sleepy", {"id": (t := tag())})
    assert job_id is not None
    info = await until(lambda: queue.get(job_id), finished, seconds=30)
    assert info.state is JobState.FAILED
    assert RUNS[t] == 2  # sleepy has one retry; both attempts timed out


async def test_a_unique_key_runs_once(backend: Backend) -> None:
    queue = await backend.start()
    key = f"once:{tag()}"
    first = await queue.enqueue("echo", {"id": key}, key=key)
    second = await queue.enqueue("echo", {"id": key}, key=key)
    assert first == key
    assert second is None
    await until(lambda: queue.get(key), finished)
    assert await queue.enqueue("echo", {"id": key}, key=key) is None  # known while stored
    await asyncio.sleep(0.3)
    assert RUNS[key] == 1


@pytest.mark.slow
async def test_a_delayed_job_retried_at_once_runs_once_per_attempt(backend: Backend) -> None:
    queue = await backend.start()
    job_id = await queue.enqueue("flaky_now", {"id": (t := tag()), "fail": 1}, delay_seconds=1)
    assert job_id is not None
    info = await until(lambda: queue.get(job_id), finished, seconds=20)
    assert info.state is JobState.COMPLETED
    await asyncio.sleep(2.5)  # a second copy of the retry would have run by now
    assert RUNS[t] == 2


@pytest.mark.slow
async def test_a_delayed_job_waits_for_its_time(backend: Backend) -> None:
    queue = await backend.start()
    t1, t2 = tag(), tag()
    delayed = await queue.enqueue("echo", {"id": t1}, delay_seconds=2)
    at = await queue.enqueue("echo", {"id": t2}, run_at=datetime.now(UTC) + timedelta(seconds=2))
    assert delayed is not None
    assert at is not None
    await asyncio.sleep(0.8)
    assert RUNS[t1] == RUNS[t2] == 0
    assert (await queue.get(delayed)).state is JobState.QUEUED  # type: ignore[union-attr]
    await until(lambda: queue.get(delayed), finished, seconds=10)
    await until(lambda: queue.get(at), finished, seconds=10)
    assert RUNS[t1] == RUNS[t2] == 1


async def test_progress_is_readable_while_the_job_runs(backend: Backend) -> None:
    queue = await backend.start()
    job_id = await queue.enqueue("steps", {"id": tag(), "step": 0.4})
    assert job_id is not None
    running = await until(
        lambda: queue.get(job_id), lambda i: i.state is JobState.RUNNING and i.progress >= 10
    )
    assert 10 <= running.progress < 100
    later = await until(lambda: queue.get(job_id), lambda i: i.progress >= 35 or finished(i))
    assert later.progress > running.progress or finished(later)
    done = await until(lambda: queue.get(job_id), finished)
    assert done.state is JobState.COMPLETED
    assert done.progress == 100


async def test_cancelling_a_queued_job_means_it_never_runs(backend: Backend) -> None:
    queue = await backend.start()
    job_id = await queue.enqueue("echo", {"id": (t := tag())}, delay_seconds=5)
    assert job_id is not None
    assert await queue.cancel(job_id) is True
    info = await queue.get(job_id)
    assert info is not None
    assert info.state is JobState.CANCELLED
    assert await queue.cancel(job_id) is False  # finished already
    assert RUNS[t] == 0


@pytest.mark.slow
async def test_cancelling_a_running_job_stops_it(backend: Backend) -> None:
    queue = await backend.start()
    job_id = await queue.enqueue("patient", {"id": (t := tag())})
    assert job_id is not None
    await until(lambda: queue.get(job_id), lambda i: i.state is JobState.RUNNING)
    assert await queue.cancel(job_id) is True
    info = await until(lambda: queue.get(job_id), finished, seconds=15)
    assert info.state is JobState.CANCELLED
    assert RUNS[t] == 1


async def test_depth_counts_jobs_waiting_to_start(backend: Backend) -> None:
    queue, _ = backend.make(registry())  # no worker: nothing is taken
    backend.opened.append((queue, _NoWorker()))
    before = await queue.depth()
    for _ in range(3):
        await queue.enqueue("echo", {"id": tag()})
    assert await queue.depth() == before + 3
    await queue.ping()


class _NoWorker:
    async def stop(self) -> None:
        return None


@pytest.mark.slow
async def test_a_schedule_runs_once_per_tick_across_two_workers(backend: Backend) -> None:
    every_second = Schedule(job="tick", cron="* * * * * */1")
    await backend.start(registry(every_second), workers=2)
    await asyncio.sleep(4.5)
    ticks = {k: v for k, v in RUNS.items() if k.startswith("tick:")}
    assert len(ticks) >= 2  # a few ticks happened...
    assert set(ticks.values()) == {1}  # ...and each ran once


# -- a worker process killed mid-job ---------------------------------------------------------
@pytest.fixture(params=["sqlite", "saq"])
def crash_target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str, str]:
    if request.param == "sqlite":
        return "sqlite", str(tmp_path / "queue.db"), "unused"
    return "saq", request.getfixturevalue("redis_url"), f"crash-{uuid.uuid4().hex[:10]}"


def _worker_process(kind: str, target: str, name: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.queue_jobs", kind, target, name],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


@pytest.mark.slow
async def test_a_job_whose_worker_is_killed_runs_again_to_completion(
    crash_target: tuple[str, str, str], tmp_path: Path
) -> None:
    kind, target, name = crash_target
    effects = tmp_path / "effects.txt"
    queue: Any = (
        LocalJobQueue(SqliteJobStore(Path(target)), queue_jobs.registry())
        if kind == "sqlite"
        else SaqJobQueue(target, queue_jobs.registry(), name=name, heartbeat_seconds=1)
    )
    first = _worker_process(kind, target, name)
    second: subprocess.Popen[str] | None = None
    try:
        job_id = await queue.enqueue("crashable", {"effects": str(effects), "seconds": 2})
        deadline = time.monotonic() + 20
        while not (effects.exists() and "start" in effects.read_text()):
            assert time.monotonic() < deadline, "the job never started"
            await asyncio.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        second = _worker_process(kind, target, name)
        info = await until(lambda: queue.get(job_id), finished, seconds=40)
        assert info.state is JobState.COMPLETED
        lines = effects.read_text().split()
        starts = [pid for word, pid in zip(lines[::2], lines[1::2], strict=True) if word == "start"]
        ends = [pid for word, pid in zip(lines[::2], lines[1::2], strict=True) if word == "end"]
        assert starts[0] == str(first.pid)  # begun by the killed worker...
        assert ends == [str(second.pid)]  # ...finished once, by the new one
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
        await queue.aclose()
        if kind == "saq":
            await _drop_saq_keys(target, name)


def test_an_unclosed_sqlite_store_does_not_hold_up_exit(tmp_path: Path) -> None:
    """A store still open when the interpreter exits (never closed, still referenced) must
    not keep the process alive: the interpreter waits for every non-daemon thread before it
    collects anything, and aiosqlite's worker thread only stops when its connection is
    closed or collected. It is made a daemon, as SQLAlchemy makes its own."""
    script = (
        "import asyncio\n"
        "from pathlib import Path\n"
        "from adapters.queue.local import SqliteJobStore\n"
        f"STORE = SqliteJobStore(Path({str(tmp_path / 'jobs.db')!r}))  # alive until exit\n"
        "async def main() -> None:\n"
        "    assert await STORE.get('nothing') is None  # connected, never closed\n"
        "asyncio.run(main())\n"
        "print('exiting')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    finished = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=30, check=False,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "exiting"
