"""AI jobs through the queue: 200 transcriptions submitted at once, run by 2 worker processes.

    .venv/bin/python tests/benchmarks/bench_jobs.py [--jobs 200] [--workers 2] [--factor 0.001]

Production profile: a scratch PostgreSQL database, Redis (a key prefix of its own), the app
under uvicorn (``ATELIER_JOBS_IN_APP=false``) and ``--workers`` ``atelier worker`` processes,
the offline transcription provider (``--factor``: its processing time as a fraction of the
fake media's 20 s - 10 min duration; 0.001 makes a job last 0.02 - 0.6 s). The jobs are
submitted at once over HTTP (``POST /transcriptions``, concurrently, by ``--users`` users
with a large quota, rate limits off).

Printed: submissions/s, jobs/s through the queue (first submit to last completion),
submit -> completed p50/p99 (the rows' ``created_at`` and ``completed_at``), and the effect
counts: jobs completed, ``jobs.job_completed.v1`` events per job (must be exactly 1), and
runs per job (``attempts``; more than one means it ran twice).

``--sockets N`` (default 100; 0 skips it) then opens N try-on sockets at once
(``WS /api/v1/tryon/ws``) on the app (one uvicorn process), one user each with two images
uploaded to the media module (local files shared with the workers), and starts a try-on on
each; ``--workers`` ``atelier worker`` processes run them and the progress reaches the
sockets through Redis channels. Printed: time from ``start`` to ``completed`` p50/p99 and
the progress events each socket received.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from tests.benchmarks.support import (  # noqa: E402
    free_port,
    require_loopback,
    scratch_database,
    server,
)

POSTGRES = os.environ.get(
    "ATELIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("ATELIER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "violet-sunrise-42-lantern"


def _env(url: str, prefix: str, factor: float, folder: str) -> dict[str, str]:
    import secrets

    values = {
        "PROFILE": "production",
        "PERSISTENCE": "postgres",
        "DATABASE_URL": url,
        "CACHE": "redis",
        "REDIS_URL": REDIS,
        "REDIS_KEY_PREFIX": prefix,
        "STORAGE": "memory",
        "QUEUE": "saq",
        "JWT_SECRET": secrets.token_urlsafe(48),
        "PASSWORD_PEPPER": secrets.token_urlsafe(48),
        "BCRYPT_ROUNDS": "4",
        "LOG_LEVEL": "WARNING",
        "JOBS_IN_APP": "false",
        # 200 requests at once on one web process: they wait for a connection longer than
        # the default 2 s (which answers a fast 503 instead); this measures the queue
        "DATABASE_POOL_SIZE": "20",
        "DATABASE_POOL_TIMEOUT_SECONDS": "15",
        "RATE_LIMIT_ENABLED": "false",
        "WORKER_CONCURRENCY": "20",
        "WORKER_METRICS_PORT": "0",
        "JOBS_MAX_ACTIVE_PER_USER": "1000",
        "JOBS_SOURCE_ALLOWLIST": "media.example.com",
        "JOBS_OFFLINE_REALTIME_FACTOR": str(factor),
        "DATA_DIR": folder,
    }
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")},
        **{f"ATELIER_{k}": v for k, v in values.items()},
        "ATELIER_ENV_FILE": str(Path(folder) / "none.env"),
        "PYTHONPATH": str(ROOT),
    }


def _create_user(env: dict[str, str]) -> str:
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    subprocess.run(
        [str(Path(sys.executable).parent / "atelier"), "create-admin"],
        env={**env, "ATELIER_ADMIN_EMAIL": email, "ATELIER_ADMIN_PASSWORD": PASSWORD},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return email


async def _submit_all(
    base: str, email: str, jobs: int, users: int
) -> tuple[list[str], float, float]:
    """``jobs`` submissions at once, spread over ``users`` users (registered first): one
    user's submissions wait for each other (its quota is counted under a lock), as a real
    crowd's would not."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        tokens = []
        for n in range(users):
            address = email if n == 0 else f"bench{n}-{uuid.uuid4().hex[:6]}@example.com"
            if n:
                body = {"email": address, "password": PASSWORD, "first_name": "B", "last_name": "U"}
                (await client.post("/api/v1/auth/register", json=body)).raise_for_status()
            login = await client.post(
                "/api/v1/auth/login", json={"email": address, "password": PASSWORD}
            )
            login.raise_for_status()
            tokens.append({"Authorization": f"Bearer {login.json()['access_token']}"})
        run = uuid.uuid4().hex[:8]

        async def one(n: int) -> str:
            response = await client.post(
                "/api/v1/transcriptions",
                json={"source_url": f"https://media.example.com/{run}/{n}.mp4"},
                headers=tokens[n % users],
            )
            if response.status_code != 202:
                raise SystemExit(f"submission {n} answered {response.status_code}: {response.text}")
            return str(response.json()["id"])

        started = time.monotonic()
        ids = await asyncio.gather(*(one(n) for n in range(jobs)))
        return list(ids), started, time.monotonic()


async def _wait(url: str, ids: list[str], within: float) -> list[sa.Row]:  # type: ignore[type-arg]
    from sqlalchemy.ext.asyncio import create_async_engine

    from adapters.persistence.sqlalchemy.jobs.tables import transcriptions

    engine = create_async_engine(url)
    wanted = [uuid.UUID(i) for i in ids]
    deadline = time.monotonic() + within
    try:
        while True:
            async with engine.connect() as conn:
                rows = (
                    await conn.execute(
                        sa.select(transcriptions).where(transcriptions.c.id.in_(wanted))
                    )
                ).all()
            finished = [r for r in rows if r.status in ("completed", "failed", "cancelled")]
            if len(finished) == len(ids) or time.monotonic() > deadline:
                await asyncio.sleep(2)  # late duplicates would show now
                async with engine.connect() as conn:
                    return list(
                        (
                            await conn.execute(
                                sa.select(transcriptions).where(transcriptions.c.id.in_(wanted))
                            )
                        ).all()
                    )
            await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


async def _events(url: str, ids: list[str]) -> collections.Counter[str]:
    from sqlalchemy.ext.asyncio import create_async_engine

    from adapters.persistence.sqlalchemy.tables.outbox import outbox_events

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(outbox_events.c.payload).where(
                        outbox_events.c.event_type == "jobs.job_completed.v1"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    mine = set(ids)
    return collections.Counter(r.payload["job_id"] for r in rows if r.payload["job_id"] in mine)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * q) - 1))]


async def run(args: argparse.Namespace) -> None:
    require_loopback(POSTGRES, REDIS)
    with scratch_database(POSTGRES) as url, tempfile.TemporaryDirectory() as folder:
        from adapters.persistence.sqlalchemy.migrations import upgrade

        upgrade(url)
        prefix = f"benchjobs-{uuid.uuid4().hex[:8]}:"
        env = _env(url, prefix, args.factor, folder)
        email = _create_user(env)
        atelier = str(Path(sys.executable).parent / "atelier")
        workers = [
            subprocess.Popen(  # noqa: ASYNC220 - started once, before measuring
                [atelier, "worker"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
            )
            for _ in range(args.workers)
        ]
        try:
            for process in workers:
                assert process.stdout is not None
                line = process.stdout.readline()
                if "worker started" not in line:
                    raise SystemExit(f"a worker did not start: {line!r}")
            with server("entrypoints.asgi:app_factory", free_port(), 1, env) as base:
                ids, first, last = await _submit_all(base, email, args.jobs, args.users)
                rows = await _wait(url, ids, within=300)
            events = await _events(url, ids)
        finally:
            for process in workers:
                process.terminate()
            for process in workers:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        completed = [r for r in rows if r.status == "completed"]
        latencies = [(r.completed_at - r.created_at).total_seconds() for r in completed]
        span = (
            max(r.completed_at for r in completed) - min(r.created_at for r in completed)
        ).total_seconds()
        runs = collections.Counter(r.attempts for r in rows)
        once = sum(1 for i in ids if events.get(i) == 1)
        print(
            f"production, {args.workers} worker processes x 20, offline provider "
            f"(factor {args.factor}), {args.jobs} transcriptions submitted at once over HTTP "
            f"by {args.users} users"
        )
        print(f"  submissions: {args.jobs / (last - first):7.0f} /s ({last - first:.2f} s)")
        print(f"  through the queue: {len(completed) / span:7.1f} jobs/s ({span:.2f} s)")
        print(
            f"  submit -> completed: p50 {statistics.median(latencies) * 1000:6.0f} ms, "
            f"p99 {_pct(latencies, 0.99) * 1000:6.0f} ms, max {max(latencies) * 1000:6.0f} ms"
        )
        print(
            f"  effects: {len(completed)}/{args.jobs} completed, "
            f"{len(rows) - len(completed)} other; job_completed events exactly once for "
            f"{once}/{args.jobs} (extra: {sum(v - 1 for v in events.values() if v > 1)}); "
            f"runs per job {dict(sorted(runs.items()))}"
        )
        lost = args.jobs - len(rows)
        if lost or once != args.jobs or len(completed) != args.jobs:
            print(f"  PROBLEM: {lost} lost, {args.jobs - once} without exactly one event")


async def _socket_run(
    base_ws: str, token: str, person: str, garment: str
) -> tuple[float, int, str]:
    import json

    import websockets

    async with websockets.connect(f"{base_ws}/api/v1/tryon/ws", open_timeout=30) as ws:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        ready = json.loads(await ws.recv())
        if ready.get("type") != "ready":
            return 0.0, 0, f"not ready: {ready}"
        started = time.monotonic()
        await ws.send(
            json.dumps({"type": "start", "person_image_id": person, "garment_image_id": garment})
        )
        progress = 0
        while True:
            event = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if event["type"] == "progress":
                progress += 1
            elif event["type"] in ("completed", "failed", "error"):
                return time.monotonic() - started, progress, event["type"]


async def _socket_user(client: httpx.AsyncClient, n: int) -> tuple[str, str, str]:
    """A new user (register, login) with a person and a garment image uploaded to media."""
    import io

    from PIL import Image

    def png(color: tuple[int, int, int], size: tuple[int, int]) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", size, color).save(out, format="PNG")
        return out.getvalue()

    email = f"ws{n}-{uuid.uuid4().hex[:6]}@example.com"
    body = {"email": email, "password": PASSWORD, "first_name": "W", "last_name": "S"}
    (await client.post("/api/v1/auth/register", json=body)).raise_for_status()
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    token = login.json()["access_token"]
    ids = []
    for content in (png((210, 190, 170), (480, 640)), png((20, 40, 200), (200, 200))):
        uploaded = await client.post(
            "/api/v1/images",
            files={"file": ("p.png", content, "image/png")},
            headers={"Authorization": f"Bearer {token}"},
        )
        uploaded.raise_for_status()
        ids.append(str(uploaded.json()["id"]))
    return token, ids[0], ids[1]


async def sockets(args: argparse.Namespace) -> None:
    require_loopback(POSTGRES, REDIS)
    with scratch_database(POSTGRES) as url, tempfile.TemporaryDirectory() as folder:
        from adapters.persistence.sqlalchemy.migrations import upgrade

        upgrade(url)
        env = {
            **_env(url, f"benchws-{uuid.uuid4().hex[:8]}:", args.factor, folder),
            "ATELIER_STORAGE": "local",
            "ATELIER_STORAGE_DIR": str(Path(folder) / "files"),
            "ATELIER_JOBS_OFFLINE_STAGE_SECONDS": str(args.stage_seconds),
        }
        atelier = str(Path(sys.executable).parent / "atelier")
        workers = [
            subprocess.Popen(  # noqa: ASYNC220 - started once, before measuring
                [atelier, "worker"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
            )
            for _ in range(args.workers)
        ]
        try:
            for process in workers:
                assert process.stdout is not None
                if "worker started" not in process.stdout.readline():
                    raise SystemExit("a worker did not start")
            with server("entrypoints.asgi:app_factory", free_port(), 1, env) as base:
                async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                    clients = [await _socket_user(client, n) for n in range(args.sockets)]
                base_ws = base.replace("http://", "ws://")
                began = time.monotonic()
                results = await asyncio.gather(
                    *(_socket_run(base_ws, t, p, g) for t, p, g in clients),
                    return_exceptions=True,
                )
                wall = time.monotonic() - began
        finally:
            for process in workers:
                process.terminate()
            for process in workers:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        good = [r for r in results if isinstance(r, tuple) and r[2] == "completed"]
        other = [r if isinstance(r, tuple) else repr(r) for r in results if r not in good]
        times = [r[0] for r in good]
        events = [r[1] for r in good]
        print(
            f"try-on: {args.sockets} sockets at once on one web process, {args.workers} "
            f"worker processes, offline provider ({args.stage_seconds} s per stage), events "
            "through Redis channels, images uploaded to the media module (local files)"
        )
        print(f"  completed: {len(good)}/{args.sockets} in {wall:.2f} s; others: {other[:3]}")
        if times:
            print(
                f"  start -> completed: p50 {statistics.median(times) * 1000:6.0f} ms, "
                f"p99 {_pct(times, 0.99) * 1000:6.0f} ms; progress events per socket: "
                f"min {min(events)}, median {statistics.median(events):.0f}, max {max(events)}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=200, help="the submitters")
    parser.add_argument("--factor", type=float, default=0.001)
    parser.add_argument("--sockets", type=int, default=100)
    parser.add_argument("--stage-seconds", type=float, default=0.05)
    args = parser.parse_args()
    if args.jobs:
        asyncio.run(run(args))
    if args.sockets:
        asyncio.run(sockets(args))


if __name__ == "__main__":
    main()
