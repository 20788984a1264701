"""The data path's steps, in process: SQLAlchemy's execution layer against ``DriverSelect``
(psycopg's own connection), and a read's autocommit switch through SQLAlchemy against
psycopg's (issue 12's "the async adapter layer").

Run: ``.venv/bin/python tests/benchmarks/bench_driver_reads.py [--rows 10000]``. Loopback
PostgreSQL only. A scratch database is created, migrated and seeded (as ``bench_perf.py``),
then each pair is timed interleaved (``--rounds`` rounds of ``--reads`` reads), in CPU time
of this process (``time.process_time``: Python, the driver and the kernel's socket work, not
the server's). Prints the median per read and the ratio. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks import bench_maintenance as maintenance  # noqa: E402
from tests.benchmarks.support import require_loopback, scratch_database  # noqa: E402

Step = Callable[[uuid.UUID], Awaitable[Any]]


async def _cpu_per_read(step: Step, ids: list[uuid.UUID]) -> float:
    began = time.process_time()
    for item in ids:
        await step(item)
    return (time.process_time() - began) / len(ids) * 1e6


async def measure(url: str, ids: list[uuid.UUID], rounds: int) -> list[tuple[str, float, float]]:
    import sqlalchemy as sa

    from adapters.persistence.sqlalchemy.engine import SqlDatabase
    from adapters.persistence.sqlalchemy.maintenance import interventions as repo
    from adapters.persistence.sqlalchemy.maintenance import mapping
    from adapters.persistence.sqlalchemy.maintenance.uow import SqlMaintenanceUnitOfWork

    database = SqlDatabase.from_settings(url=url)
    table = repo.interventions
    by_id = sa.select(table).where(table.c.id == sa.bindparam("intervention_id"))
    results: list[tuple[str, float, float]] = []
    try:
        async with SqlMaintenanceUnitOfWork(database, read_only=True) as uow:
            conn = uow.connection

            async def get_sqlalchemy(i: uuid.UUID) -> Any:
                row = (await conn.execute(by_id, {"intervention_id": i})).one()
                return mapping.intervention(row)

            async def get_driver(i: uuid.UUID) -> Any:
                found = await repo._BY_ID.first(conn, {"intervention_id": i})
                assert found is not None
                return mapping.intervention_of(found)

            a, b = await _rounds(get_sqlalchemy, get_driver, ids, rounds)
            results.append(("one intervention by key (aggregate)", a, b))

        async def open_sqlalchemy(_: uuid.UUID) -> None:
            connection = await database.engine.connect()
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(sa.text("SELECT 1"))
            await connection.close()

        async def open_driver(_: uuid.UUID) -> None:
            async with SqlMaintenanceUnitOfWork(database, read_only=True) as uow:
                await uow.connection.execute(sa.text("SELECT 1"))

        a, b = await _rounds(open_sqlalchemy, open_driver, ids, rounds)
        results.append(("a read's connection in autocommit, one SELECT 1", a, b))
    finally:
        await database.aclose()
    return results


async def _rounds(
    before: Step, after: Step, ids: list[uuid.UUID], rounds: int
) -> tuple[float, float]:
    await before(ids[0])  # warm: statements compiled and prepared
    await after(ids[0])
    a: list[float] = []
    b: list[float] = []
    for _ in range(rounds):
        a.append(await _cpu_per_read(before, ids))
        b.append(await _cpu_per_read(after, ids))
    return statistics.median(a), statistics.median(b)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "ATELIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    require_loopback(args.postgres_url)

    from adapters.persistence.sqlalchemy.migrations import upgrade
    from entrypoints.bootstrap.settings import load_settings

    with scratch_database(args.postgres_url) as url, tempfile.TemporaryDirectory() as tmp:
        upgrade(url)
        values = {
            "profile": "production", "data_dir": tmp, "database_url": url,
            "redis_url": "redis://127.0.0.1:6379/15", "storage": "memory", "mailer": "memory",
            "jwt_secret": secrets.token_urlsafe(48), "password_pepper": secrets.token_urlsafe(48),
        }  # fmt: skip
        settings = load_settings(
            {f"ATELIER_{k.upper()}": v for k, v in values.items()}, env_file=Path(tmp) / "no.env"
        )
        maintenance.seed(url, settings, args.rows)
        maintenance.settle(url)
        ids, _ = maintenance.workload(url, assigns=0)
        chosen = [uuid.UUID(i) for i in ids[: args.reads]]
        results = asyncio.run(measure(url, chosen, args.rounds))
    print(f"\nCPU of this process per read, median of {args.rounds} interleaved rounds of "
          f"{len(chosen)} reads")  # fmt: skip
    print(f"{'step':<52}{'SQLAlchemy µs':>15}{'driver µs':>12}{'ratio':>8}")
    for name, before, after in results:
        print(f"{name:<52}{before:>15.0f}{after:>12.0f}{before / after:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
