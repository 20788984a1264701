"""Maintenance API under load, on a seeded PostgreSQL database (production profile).

Run: ``.venv/bin/python tests/benchmarks/bench_maintenance.py --rows 10000`` (or
``--rows 1000000``). Loopback services only (PostgreSQL 127.0.0.1:5432, Redis 127.0.0.1:6379).

1. A scratch database is created, migrated and seeded in bulk with ``--rows`` interventions
   (10,000 equipment and 100 technicians at 1M rows, fewer equipment below).
2. Atelier starts with uvicorn in a subprocess (PostgreSQL + Redis, rate limits off, random
   secrets); the script logs in as a seeded manager and measures at 16 connections: the
   filtered list, a read by id (random ids), the dashboard, and assignments (each request on
   another open intervention, with an explicit technician and a free slot).
3. ``GET /interventions/{id}`` at 64 connections against a bare Litestar route reading one
   row by primary key through SQLAlchemy Core (same worker count, same pool size, both
   warmed up first).

After seeding, ``VACUUM ANALYZE`` brings the tables to the state autovacuum keeps a live
database in (and ``CHECKPOINT`` writes the load's pages before anything is measured),
and the dashboard's SQL is timed without its cache (cold figure printed).
4. Overload: 256 connections on ONE worker with a pool of 5 (no overflow, 0.5 s timeout):
   every request must get an answer (200 or 503), none may hang.

Bounded in time: each measurement lasts ``--duration`` seconds. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.support import (  # noqa: E402
    Request,
    Result,
    Target,
    free_port,
    measure,
    require_loopback,
    scratch_database,
    server,
    tool_choice,
)

TARGET_P99_MS = 50.0
TARGET_DASHBOARD_P99_MS = 100.0
#: per worker: room for every connection of the 64-connection run on 2 workers, so neither
#: app opens and closes overflow connections per request (both apps get the same pool)
POOL_SIZE, MAX_OVERFLOW = 20, 0  # the defaults: a fixed pool (see SqlDatabase)


def bare_app_factory() -> Any:
    """A bare Litestar app: ``GET /api/v1/interventions/{id}`` reads one row by primary key
    through SQLAlchemy Core (the floor Atelier's read is compared with)."""
    import sqlalchemy as sa
    from litestar import Litestar, get
    from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

    state: dict[str, AsyncEngine] = {}
    table = sa.table(
        "interventions",
        *(sa.column(name) for name in ("title", "status", "priority", "version")),
        sa.column("id", sa.Uuid()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )

    async def startup() -> None:
        state["engine"] = create_async_engine(  # the same pool as Atelier's (see main)
            os.environ["BENCH_DATABASE_URL"],
            pool_size=int(os.environ["ATELIER_DATABASE_POOL_SIZE"]),
            max_overflow=int(os.environ["ATELIER_DATABASE_MAX_OVERFLOW"]),
        )

    async def shutdown() -> None:
        await state["engine"].dispose()

    @get("/health/live", sync_to_thread=False)
    def live() -> dict[str, str]:
        return {"status": "ok"}

    @get("/api/v1/interventions/{intervention_id:uuid}")
    async def one(intervention_id: uuid.UUID) -> dict[str, Any]:
        query = sa.select(table).where(table.c.id == intervention_id)
        async with state["engine"].connect() as conn:
            row = (await conn.execute(query)).one()
        return {**row._asdict(), "id": str(row.id), "created_at": row.created_at.isoformat()}

    return Litestar([live, one], on_startup=[startup], on_shutdown=[shutdown])


def shape_for(rows: int) -> tuple[int, int]:
    """(equipment, technicians): 10,000 / 100 at 1M rows, scaled down below (>= 100)."""
    return max(100, min(10_000, rows // 100)), 100


def seed(database_url: str, settings: Any, rows: int) -> tuple[str, str, float]:
    """Bulk seed; returns (manager e-mail, password, seconds)."""
    import asyncio

    from tqdm import tqdm

    from adapters.persistence.sqlalchemy.seeding import ScaleShape, seed_scale
    from entrypoints.bootstrap.container import build_container, shutdown

    password = secrets.token_urlsafe(18)

    async def hash_password() -> str:
        container = build_container(settings)
        try:
            return str(await container.password_hasher().hash(password))
        finally:
            await shutdown(container)

    equipment, technicians = shape_for(rows)
    shape = ScaleShape.for_interventions(rows, equipment=equipment, technicians=technicians)
    print(
        f"data set: {rows} interventions, {shape.equipment} equipment, {shape.technicians} "
        f"technicians, {shape.client_count} clients, {shape.managers} managers"
    )
    with tqdm(total=rows, unit="row", unit_scale=True, desc="seeding") as bar:
        report = seed_scale(
            database_url, shape, password_hash=asyncio.run(hash_password()),
            on_progress=bar.update,
        )  # fmt: skip
    print(
        f"seeded in {report.seconds:.1f} s ({report.method}): {report.by_status}, "
        f"{report.schedule_entries} planning entries"
    )
    return report.manager_emails[0], password, report.seconds


def settle(database_url: str) -> float:
    """``VACUUM ANALYZE`` after the bulk load: the state autovacuum reaches on a live
    database (visibility map set, so counts can be index-only). Then ``CHECKPOINT``: the
    load's dirty pages are written now, not by a spread checkpoint during the first
    measurements (skipped if the role may not). Returns seconds."""
    import psycopg

    began = time.perf_counter()
    plain = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        try:
            conn.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:
            print("note: CHECKPOINT not allowed for this role; the first cycle may be slower")
    return time.perf_counter() - began


def dashboard_cold_ms(database_url: str, runs: int = 3) -> list[float]:
    """The dashboard's SQL without the cache in front (what a cold or stale read costs)."""
    import asyncio

    from adapters.persistence.sqlalchemy.engine import SqlDatabase
    from adapters.persistence.sqlalchemy.maintenance import SqlDashboardReader

    async def timed() -> list[float]:
        database = SqlDatabase.from_settings(url=database_url)
        reader, times = SqlDashboardReader(database), []
        try:
            for _ in range(runs):
                began = time.perf_counter()
                await reader.stats(datetime.now(UTC))
                times.append((time.perf_counter() - began) * 1000)
        finally:
            await database.aclose()
        return times

    return asyncio.run(timed())


def workload(database_url: str, assigns: int) -> tuple[list[str], list[Request]]:
    """Random intervention ids, and assignment requests on distinct open interventions with
    an available technician and a free slot (far after every seeded entry)."""
    import psycopg

    plain = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        ids = [str(r[0]) for r in conn.execute(
            "SELECT id FROM interventions TABLESAMPLE SYSTEM (5) LIMIT 5000")]  # fmt: skip
        if len(ids) < 100:
            ids = [str(r[0]) for r in conn.execute("SELECT id FROM interventions LIMIT 5000")]
        open_ids = [str(r[0]) for r in conn.execute(
            "SELECT id FROM interventions WHERE status = 'open' ORDER BY id LIMIT %s",
            (assigns,))]  # fmt: skip
        techs = [str(r[0]) for r in conn.execute(
            "SELECT id FROM technicians WHERE available ORDER BY id")]  # fmt: skip
        latest = conn.execute("SELECT max(ends_at) FROM schedule_entries").fetchone()
    start = max(latest[0] if latest and latest[0] else datetime.now(UTC), datetime.now(UTC))
    day = (start + timedelta(days=7)).date()
    requests: list[Request] = []
    slot = 0
    while len(requests) < len(open_ids):
        if day.weekday() < 5:
            at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(hours=slot)
            for tech in techs:
                if len(requests) == len(open_ids):
                    break
                body = json.dumps({
                    "technician_id": tech, "scheduled_at": at.isoformat().replace("+00:00", "Z"),
                    "estimated_minutes": 45,
                })  # fmt: skip
                path = f"/api/v1/interventions/{open_ids[len(requests)]}/assign"
                requests.append(Request("POST", path, body))
            slot += 1
        if slot == 9 or day.weekday() >= 5:
            slot, day = 0, day + timedelta(days=1)
    random.shuffle(requests)
    return ids, requests


def login(base: str, email: str, password: str) -> str:
    import httpx

    answer = httpx.post(
        f"{base}/api/v1/auth/login", json={"email": email, "password": password}, timeout=30
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def check(target: Target) -> None:
    import httpx

    item = target.requests[0]
    if item.method != "GET":
        return
    answer = httpx.get(target.base + item.path, headers=target.headers, timeout=30)
    if answer.status_code != 200:
        raise RuntimeError(f"{target.name}: {answer.status_code} {answer.text[:300]}")


def row(name: str, r: Result, goal: str = "", ok: bool | None = None) -> str:
    verdict = "" if ok is None else ("OK" if ok else "MISSED")
    statuses = " ".join(f"{k}={v}" for k, v in r.statuses.items())
    return (
        f"{name:<44}{r.rps:>9.0f}{r.p50_ms:>9.1f}{r.p99_ms:>9.1f}  {statuses:<28}"
        f"{r.timeouts:>4}  {goal} {verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="interventions to seed")
    parser.add_argument("--duration", type=int, default=8, help="seconds per measurement")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "ATELIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--redis-url", default=os.environ.get(
        "ATELIER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))  # fmt: skip
    args = parser.parse_args()
    if not 1_000 <= args.rows <= 2_000_000:
        parser.error("--rows must be between 1000 and 2000000")
    if not 2 <= args.duration <= 60:
        parser.error("--duration must be between 2 and 60 seconds")
    require_loopback(args.postgres_url, args.redis_url)
    tool = tool_choice(args.tool)

    from adapters.persistence.sqlalchemy.migrations import upgrade
    from entrypoints.bootstrap.settings import load_settings

    began = time.monotonic()
    with scratch_database(args.postgres_url) as database_url, tempfile.TemporaryDirectory() as tmp:
        upgrade(database_url)
        values = {
            "profile": "production", "data_dir": tmp, "database_url": database_url,
            "redis_url": args.redis_url, "redis_key_prefix": f"bench:{uuid.uuid4().hex[:8]}:",
            "storage": "memory", "mailer": "memory", "rate_limit_enabled": "false",
            "jwt_secret": secrets.token_urlsafe(48), "password_pepper": secrets.token_urlsafe(48),
            "log_level": "WARNING", "docs_enabled": "false", "workers": str(args.workers),
            "database_pool_size": str(POOL_SIZE), "database_max_overflow": str(MAX_OVERFLOW),
        }  # fmt: skip
        env_vars = {f"ATELIER_{k.upper()}": v for k, v in values.items()}
        no_env = str(Path(tmp) / "no.env")
        settings = load_settings(env_vars, env_file=Path(no_env))
        email, password, seed_seconds = seed(database_url, settings, args.rows)
        print(f"VACUUM ANALYZE + CHECKPOINT: {settle(database_url):.1f} s")
        cold = dashboard_cold_ms(database_url)
        print("dashboard SQL (no cache): " + ", ".join(f"{ms:.0f} ms" for ms in cold))
        ids, assigns = workload(database_url, assigns=4000)
        child_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")},
            **env_vars, "ATELIER_ENV_FILE": no_env, "PYTHONPATH": str(ROOT),
            "BENCH_DATABASE_URL": database_url,
        }  # fmt: skip
        app = "entrypoints.asgi:app_factory"
        bare_app = "tests.benchmarks.bench_maintenance:bare_app_factory"
        results: list[str] = []
        by_id = [Request("GET", f"/api/v1/interventions/{i}") for i in ids]
        print(f"load generator: {tool}; {args.duration} s per target; workers {args.workers}")
        with server(app, free_port(), args.workers, child_env) as base:
            auth = {"Authorization": f"Bearer {login(base, email, password)}"}
            post = {**auth, "Content-Type": "application/json"}
            listing = "/api/v1/interventions?status=open&priority=critical&limit=50"
            reads = [
                ("GET list status=open&priority=critical", [Request("GET", listing)], auth,
                 TARGET_P99_MS),
                ("GET /interventions/{id} (random)", by_id, auth, TARGET_P99_MS),
                ("GET /dashboard/stats", [Request("GET", "/api/v1/dashboard/stats")], auth,
                 TARGET_DASHBOARD_P99_MS),
            ]  # fmt: skip
            for name, requests, headers, goal in reads:
                target = Target(name, base, requests, headers)
                check(target)
                measure(target, tool, max(2, args.duration // 4), 16)  # warm-up
                r = measure(target, tool, args.duration, 16)
                results.append(row(name + " @16", r, f"p99<{goal:.0f}", r.p99_ms < goal))
            assign = Target("POST /interventions/{id}/assign", base, assigns, post, cycle=False)
            r = measure(assign, tool, args.duration, 16)
            results.append(row(assign.name + " @16", r, f"p99<{TARGET_P99_MS:.0f}",
                               r.p99_ms < TARGET_P99_MS))  # fmt: skip
            app_target = Target("app", base, by_id, auth)
            measure(app_target, tool, max(2, args.duration // 4), 64)  # warm-up, as the bare one
            app_read = measure(app_target, tool, args.duration, 64)
        with server(bare_app, free_port(), args.workers, child_env) as bare:
            measure(Target("bare", bare, by_id), tool, max(2, args.duration // 4), 64)
            bare_read = measure(Target("bare", bare, by_id), tool, args.duration, 64)
        ratio = app_read.rps / bare_read.rps if bare_read.rps else 0.0
        results.append(row("GET /interventions/{id} @64 (Atelier)", app_read,
                           f"{ratio:.0%} of bare, goal >= 50%", ratio >= 0.5))  # fmt: skip
        results.append(row("GET /interventions/{id} @64 (bare Litestar)", bare_read))
        overload_env = {
            **child_env, "ATELIER_WORKERS": "1", "ATELIER_DATABASE_POOL_SIZE": "5",
            "ATELIER_DATABASE_MAX_OVERFLOW": "0", "ATELIER_DATABASE_POOL_TIMEOUT_SECONDS": "0.5",
        }  # fmt: skip
        with server(app, free_port(), 1, overload_env) as base:
            over = measure(Target("overload", base, by_id, auth), tool, args.duration, 256)
        answered = over.statuses["2xx"] + over.statuses["503"]
        ok = (
            over.timeouts == 0
            and over.socket_errors == 0
            and answered == sum(over.statuses.values())
        )
        results.append(row("overload @256, 1 worker, pool 5 (no overflow)", over,
                           "every request answered (200/503), no hang", ok))  # fmt: skip

    print()
    print(f"rows: {args.rows}; seeding took {seed_seconds:.1f} s; total run "
          f"{time.monotonic() - began:.0f} s; pool {POOL_SIZE}+{MAX_OVERFLOW} per worker "
          f"(both apps); dashboard SQL cold {cold[0]:.0f} ms, warm {min(cold):.0f} ms")  # fmt: skip
    print(f"{'target':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}  {'answers':<28}{'t/o':>4}  goal")
    for line in results:
        print(line)
    print("(1M vs 10k: compare the p99 of the same rows across two runs; goal 1M <= 2x 10k)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
