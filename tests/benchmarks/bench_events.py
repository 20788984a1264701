"""The event backbone's throughput and latency, from commit to the handler's effect.

    .venv/bin/python tests/benchmarks/bench_events.py [--events 5000] [--batch 50]

Production profile: a scratch PostgreSQL database, Redis, and 2 worker processes (each an
outbox relay and a SAQ worker; ``tests/support/event_worker.py``); this process commits
``--events`` integration events in transactions of ``--batch`` as fast as it can. Embedded
profile: SQLite and the SQLite queue, relay and worker in this one process, as in
``atelier serve``. The effect is the probe module's handler writing one audit entry per event
in its own transaction (inbox claim included); latency is that entry's time minus the
event's commit time.

Two phases per profile: *throughput*, a burst of ``--events`` committed as fast as possible
(events/s from the first commit to the last effect); *latency*, events offered at a steady
``--rate`` per second for ``--seconds`` (commit -> effect, p50 and p99). Targets (issue 8): at
least 1,000 events/s, and p99 under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from application.shared.audit import AuditFilters  # noqa: E402
from entrypoints.bootstrap.container import build_container, shutdown, start  # noqa: E402
from entrypoints.bootstrap.registry import modules  # noqa: E402
from entrypoints.bootstrap.settings import load_settings  # noqa: E402
from entrypoints.worker.runtime import Background  # noqa: E402
from tests.benchmarks.support import require_loopback, scratch_database  # noqa: E402
from tests.support import probe_module  # noqa: E402
from tests.support.event_worker import crash_settings  # noqa: E402

POSTGRES = os.environ.get(
    "ATELIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("ATELIER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


async def _effects(container: Any, run: str, expected: int, wait: float) -> list[Any]:
    """The effects of ``run`` once ``expected`` more than before have arrived (counting is
    cheap; the entries are read once at the end, so polling does not load the process)."""
    trail, probe = container.audit_trail(), AuditFilters(entity_type=probe_module.ENTITY)
    deadline = time.monotonic() + wait
    while True:
        _, total = await trail.list(probe, limit=0, offset=0)
        if total >= expected + _BASELINE.get(id(container), 0) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    entries, total = await trail.list(probe, limit=total, offset=0)
    _BASELINE[id(container)] = total
    return [e for e in entries if e.changes["run"][1] == run]


_BASELINE: dict[int, int] = {}


async def _publish(container: Any, run: str, events: int, batch: int) -> tuple[float, float]:
    started = time.monotonic()
    for first in range(0, events, batch):
        await container.probe.ping()(range(first, min(events, first + batch)), run=run)
    return started, time.monotonic()


async def _steady(container: Any, run: str, rate: int, seconds: float) -> int:
    """Offer ``rate`` events a second in commits of ``rate // 50`` every 20 ms."""
    per_commit = max(1, rate // 50)
    sent = 0
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        await container.probe.ping()(range(sent, sent + per_commit), run=run)
        sent += per_commit
        pause = started + sent / rate - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
    return sent


def _latencies(entries: list[Any]) -> list[float]:
    return sorted(
        (
            datetime.fromisoformat(e.changes["handled_at"][1])
            - datetime.fromisoformat(e.changes["sent_at"][1])
        ).total_seconds()
        for e in entries
    )


async def _phases(container: Any, profile: str, args: argparse.Namespace) -> None:
    run = uuid.uuid4().hex
    await _publish(container, run, args.events, args.batch)
    entries = await _effects(container, run, args.events, wait=300)
    if len(entries) < args.events:
        print(f"{profile}: only {len(entries)} of {args.events} effects arrived")
        return
    last = max(datetime.fromisoformat(e.changes["handled_at"][1]) for e in entries)
    first = min(datetime.fromisoformat(e.changes["sent_at"][1]) for e in entries)
    rate = args.events / (last - first).total_seconds()
    print(f"{profile:<24} throughput: {args.events} events, {rate:7.0f} events/s (target >= 1000)")
    run = uuid.uuid4().hex
    sent = await _steady(container, run, args.rate, args.seconds)
    latencies = _latencies(await _effects(container, run, sent, wait=120))
    p50 = statistics.median(latencies)
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    print(
        f"{profile:<24} latency at {args.rate} events/s offered: commit->effect "
        f"p50 {p50 * 1000:5.0f} ms, p99 {p99 * 1000:5.0f} ms (target < 1000) over {sent} events"
    )


async def production(args: argparse.Namespace) -> None:
    workers = args.workers
    require_loopback(POSTGRES, REDIS)
    with scratch_database(POSTGRES) as url:
        from adapters.persistence.sqlalchemy.migrations import upgrade

        upgrade(url)
        prefix = f"bench-{uuid.uuid4().hex[:8]}:"
        processes = [
            subprocess.Popen(  # noqa: ASYNC220 - started once, before measuring
                [sys.executable, "-m", "tests.support.event_worker", url, REDIS, prefix],
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(workers)
        ]
        container = build_container(
            crash_settings(url, REDIS, prefix), specs=[*modules(), probe_module.spec()]
        )
        await start(container)
        try:
            for process in processes:
                assert process.stdout is not None
                assert process.stdout.readline().strip() == "ready"
            await _phases(container, f"production, {workers} workers", args)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=20)
            await shutdown(container)


async def embedded(args: argparse.Namespace) -> None:
    from adapters.persistence.sqlalchemy.migrations import upgrade

    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite+aiosqlite:///{folder}/atelier.db"
        upgrade(database)
        settings = load_settings(
            {},
            env_file=Path(folder) / "none.env",
            data_dir=folder,
            database_url=database,
            persistence="sqlite",
            storage="memory",
            cache="memory",
            relay_poll_seconds=0.2,
            log_level="WARNING",
        )
        container = build_container(settings, specs=[*modules(), probe_module.spec()])
        await start(container)
        background = Background(container)
        await background.start()
        try:
            await _phases(container, "embedded", args)
        finally:
            await background.stop()
            await shutdown(container)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=int, default=500, help="latency phase: events/s offered")
    parser.add_argument("--seconds", type=float, default=5.0, help="latency phase duration")
    parser.add_argument("--profile", choices=["both", "production", "embedded"], default="both")
    args = parser.parse_args()
    if args.profile in {"both", "production"}:
        asyncio.run(production(args))
    if args.profile in {"both", "embedded"}:
        asyncio.run(embedded(args))


if __name__ == "__main__":
    main()
