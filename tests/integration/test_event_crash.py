"""A stream of events while the relay and a worker are killed (SIGKILL, real processes) on
PostgreSQL + Redis: after a restart every effect is present, once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from application.shared.audit import AuditFilters
from domain.shared.ids import new_id
from entrypoints.bootstrap.container import build_container, shutdown, start
from entrypoints.bootstrap.registry import modules
from tests.support import probe_module
from tests.support.event_worker import crash_settings
from tests.support.redis import drop_prefixed

ROOT = Path(__file__).resolve().parents[2]
EVENTS = 400


def _worker(postgres_url: str, redis_url: str, prefix: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.event_worker", postgres_url, redis_url, prefix],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


@pytest.mark.slow
async def test_every_effect_once_after_the_relay_and_a_worker_are_killed(
    migrated_postgres_url: str, redis_url: str, redis_prefix: str
) -> None:
    run = new_id().hex
    container = build_container(
        crash_settings(migrated_postgres_url, redis_url, redis_prefix),
        specs=[*modules(), probe_module.spec()],
    )
    await start(container)
    workers = [_worker(migrated_postgres_url, redis_url, redis_prefix) for _ in range(2)]
    try:

        async def effects() -> dict[str, int]:
            entries, _ = await container.audit_trail().list(
                AuditFilters(entity_type=probe_module.ENTITY), limit=10_000, offset=0
            )
            counts: dict[str, int] = {}
            for entry in entries:
                if entry.changes["run"][1] == run:
                    key = str(entry.entity_id)
                    counts[key] = counts.get(key, 0) + 1
            return counts

        for batch in range(0, EVENTS, 20):  # a stream: 20 events per commit
            await container.probe.ping()(range(batch, batch + 20), run=run)
            if batch == EVENTS // 2:  # mid-stream: kill both processes, start new ones
                for process in workers:
                    process.send_signal(signal.SIGKILL)
                    process.wait(timeout=10)
                workers = [_worker(migrated_postgres_url, redis_url, redis_prefix)]
            await asyncio.sleep(0.02)
        deadline = time.monotonic() + 90
        counts = await effects()
        while len(counts) < EVENTS and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            counts = await effects()
        await asyncio.sleep(2)  # late duplicates would show up now
        counts = await effects()
        assert len(counts) == EVENTS  # every effect present...
        assert set(counts.values()) == {1}  # ...once
    finally:
        for process in workers:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=15)
        await shutdown(container)
        from adapters.cache.redis import RedisCache

        cleaner = RedisCache.from_url(redis_url, prefix="")
        await drop_prefixed(cleaner, redis_url, f"saq:{redis_prefix.strip(':')}")
