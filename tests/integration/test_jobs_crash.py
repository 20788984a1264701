"""Transcriptions while a worker is killed (SIGKILL, real processes) on PostgreSQL + Redis +
SAQ: after a new worker starts, every job is completed, and its outcome (the
``jobs.job_completed.v1`` event) was recorded once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.persistence.sqlalchemy.tables.outbox import outbox_events
from application.identity.use_cases.create_user import CreateUserCommand
from application.jobs.use_cases.submit_transcription import SubmitTranscriptionCommand
from domain.jobs.status import JobStatus
from domain.shared.access import Actor, Role
from domain.shared.ids import new_id
from entrypoints.bootstrap.container import build_container, shutdown, start
from tests.support.jobs_worker import jobs_settings
from tests.support.redis import drop_prefixed

ROOT = Path(__file__).resolve().parents[2]
JOBS = 40
SYSTEM = Actor(user_id=new_id(), role=Role.ADMIN)


def _worker(postgres_url: str, redis_url: str, prefix: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.jobs_worker", postgres_url, redis_url, prefix],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


@pytest.mark.slow
async def test_every_job_completes_once_after_a_worker_is_killed(
    migrated_postgres_url: str, redis_url: str, redis_prefix: str
) -> None:
    container = build_container(jobs_settings(migrated_postgres_url, redis_url, redis_prefix))
    await start(container)
    workers = [_worker(migrated_postgres_url, redis_url, redis_prefix) for _ in range(2)]
    try:
        view = await container.identity.create_user()(
            CreateUserCommand(
                actor=SYSTEM,
                email=f"crash-{new_id().hex}@example.com",
                password="violet-sunrise-42-lantern",
                first_name="C",
                last_name="K",
                role=Role.CLIENT,
            )
        )
        me = Actor(user_id=view.id, role=Role.CLIENT)
        submit = container.jobs.submit_transcription()
        ids = [
            (
                await submit(
                    SubmitTranscriptionCommand(
                        actor=me, source_url=f"https://media.example.com/{n}.mp4"
                    )
                )
            ).id
            for n in range(JOBS)
        ]
        get = container.jobs.get_transcription()

        async def statuses() -> list[JobStatus]:
            return [(await get(me, i)).status for i in ids]

        for _ in range(400):  # until one runs
            if JobStatus.RUNNING in await statuses():
                break
            await asyncio.sleep(0.05)
        victim = workers.pop(0)  # kill one while jobs run, then start a new one
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        workers.append(_worker(migrated_postgres_url, redis_url, redis_prefix))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            current = await statuses()
            if all(s.finished for s in current):
                break
            await asyncio.sleep(0.5)
        jobs = [await get(me, i) for i in ids]
        assert [j.status for j in jobs] == [JobStatus.COMPLETED] * JOBS, [
            (j.status, j.error) for j in jobs
        ]
        assert any(j.attempts > 1 for j in jobs)  # some ran again after the kill
        await asyncio.sleep(1)  # a late duplicate outcome would be written by now
        async with container.database().engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(outbox_events.c.payload).where(
                        outbox_events.c.event_type == "jobs.job_completed.v1"
                    )
                )
            ).all()
        mine = {str(i) for i in ids}
        completed = [r.payload["job_id"] for r in rows if r.payload["job_id"] in mine]
        assert sorted(completed) == sorted(mine)  # each outcome once
    finally:
        for process in workers:
            process.send_signal(signal.SIGTERM)
        for process in workers:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        cache = container.cache()
        await drop_prefixed(cache, redis_url, redis_prefix)
        await shutdown(container)
