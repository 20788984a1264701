"""The automation catalogue under hostile and crowded input (production profile).

Run: ``.venv/bin/python tests/benchmarks/bench_automation.py [--workers N] [--requests N]``.

A scratch PostgreSQL database is created and migrated, an administrator is made, and Atelier
starts with uvicorn in a subprocess (``--workers`` processes sharing one Redis) with its
Galaxy URL pointing at the fake Galaxy this script serves on loopback (answering after
``--upstream-delay`` seconds, like a remote server). Measured with a Python httpx client:

1. ``POST /variable-types/validate`` against custom types whose patterns are the worst a
   backtracking engine meets (``(a+)+$``, ``(a|aa)+$``, ``(.*a){20}``...) with 64 KiB values
   (one that almost matches, ``a...a!``, and ``abab...a``, alternately): p50/p99/max per
   pattern, sequential requests, then the same with 8 clients at once (target: p99 under
   50 ms);
2. the Galaxy catalogue: 100 clients asking for the same cold namespace at once, the number
   of upstream calls it caused (target: 1) and their latency; then p50/p99 of a cached read
   at 16 concurrent clients.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.support import (  # noqa: E402
    free_port,
    require_loopback,
    scratch_database,
    server,
)
from tests.support.fake_galaxy import INDEX, FakeGalaxy, running_galaxy  # noqa: E402

PASSWORD = "bench-violet-sunrise-42-lantern"
WORST_PATTERNS = [
    r"(a+)+$",
    r"(a|aa)+$",
    r"(.*a){20}",
    r"(a|a?)+b",
    r"^(\w+\s?)*$",
    r"(x+x+)+y",
    r"([a-z]+)*[0-9]",
    r"(.*a){200}",
    r"(.*[ab]){40}c",
]
# a value that almost matches (the classic catastrophic case for a backtracking engine) and
# one that matches some of them (where an engine extracting groups pays its NFA)
VALUES = ["a" * (64 * 1024 - 1) + "!", ("ab" * 40_000)[: 64 * 1024 - 1]]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def line(name: str, ms: list[float], extra: str = "") -> str:
    return (
        f"  {name:<28} n={len(ms):<5} p50 {pct(ms, 0.5):7.2f} ms   p99 {pct(ms, 0.99):7.2f} ms"
        f"   max {max(ms):7.2f} ms {extra}"
    )


async def make_admin(settings: Any) -> str:
    from application.identity.use_cases.create_user import CreateUserCommand
    from domain.shared.access import Actor, Role
    from entrypoints.bootstrap.container import running

    email = f"bench-admin-{uuid.uuid4().hex[:8]}@example.com"
    async with running(settings) as container:
        await container.identity.create_user()(
            CreateUserCommand(
                actor=Actor(user_id=uuid.UUID(int=0), role=Role.ADMIN),
                email=email,
                password=PASSWORD,
                first_name="Bench",
                last_name="Admin",
                role=Role.ADMIN,
            )
        )
    return email


async def run(base: str, email: str, galaxy: FakeGalaxy, requests: int) -> list[str]:
    import httpx

    out: list[str] = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        login.raise_for_status()
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"

        out.append(f"POST /variable-types/validate, 64 KiB value, {requests} requests each:")
        all_ms: list[float] = []
        for index, pattern in enumerate(WORST_PATTERNS):
            name = f"worst_{index}_{uuid.uuid4().hex[:6]}"
            made = await client.post(
                "/api/v1/admin/variable-types",
                json={"name": name, "label": "Worst", "pattern": pattern},
            )
            made.raise_for_status()
            bodies = [{"type": name, "value": value} for value in VALUES]
            for body in bodies:  # compile and warm
                await client.post("/api/v1/variable-types/validate", json=body)
            ms: list[float] = []
            statuses: set[int] = set()
            for i in range(requests):
                body = bodies[i % len(bodies)]
                started = time.perf_counter()
                answer = await client.post("/api/v1/variable-types/validate", json=body)
                ms.append((time.perf_counter() - started) * 1000)
                statuses.add(answer.status_code)
            all_ms.extend(ms)
            out.append(line(pattern, ms, f"statuses {sorted(statuses)}"))

            async def one(body: dict[str, str] = body) -> float:
                started = time.perf_counter()
                answer = await client.post("/api/v1/variable-types/validate", json=body)
                assert answer.status_code == 200, answer.text
                return (time.perf_counter() - started) * 1000

        crowd: list[float] = []
        for _ in range(max(1, requests // 8)):
            crowd.extend(await asyncio.gather(*(one() for _ in range(8))))
        out.append(line("all patterns, sequential", all_ms, "(target p99 < 50 ms)"))
        out.append(line("last pattern, 8 at once", crowd))

        out.append("Galaxy catalogue (fake upstream answering after "
                   f"{galaxy.delay * 1000:.0f} ms):")  # fmt: skip
        for namespace in ("ns050", "ns051", "ns052"):
            before = galaxy.calls[INDEX]
            path = f"/api/v1/galaxy/namespaces/{namespace}/collections"

            async def cold(path: str = path) -> tuple[float, int, str]:
                started = time.perf_counter()
                answer = await client.get(path)
                return (
                    (time.perf_counter() - started) * 1000,
                    answer.status_code,
                    answer.headers.get("cache-status", ""),
                )

            results = await asyncio.gather(*(cold() for _ in range(100)))
            calls = galaxy.calls[INDEX] - before
            statuses = sorted({r[1] for r in results})
            stored = sum(1 for r in results if "stored" in r[2])
            out.append(
                line(f"100 clients, cold {namespace}", [r[0] for r in results])
                + f"upstream calls: {calls} (target 1); statuses {statuses}; "
                f"{stored} answer(s) fetched, the rest waited for that one"
            )
        path = "/api/v1/galaxy/namespaces/ns050/collections"
        cached: list[float] = []

        async def reader(count: int) -> None:
            for _ in range(count):
                started = time.perf_counter()
                answer = await client.get(path)
                assert answer.headers["cache-status"] == "atelier; hit", answer.headers
                cached.append((time.perf_counter() - started) * 1000)

        await asyncio.gather(*(reader(requests * 2 // 16 + 1) for _ in range(16)))
        out.append(line("cached read, 16 clients", cached))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=200, help="requests per pattern")
    parser.add_argument("--upstream-delay", type=float, default=0.2)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "ATELIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--redis-url", default=os.environ.get(
        "ATELIER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))  # fmt: skip
    args = parser.parse_args()
    require_loopback(args.postgres_url, args.redis_url)

    from adapters.persistence.sqlalchemy.migrations import upgrade
    from entrypoints.bootstrap.settings import load_settings

    fake = FakeGalaxy(extra_namespaces=200)
    fake.delay = args.upstream_delay
    with (
        running_galaxy(fake) as galaxy,
        scratch_database(args.postgres_url) as database_url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        upgrade(database_url)
        values = {
            "profile": "production", "data_dir": tmp, "database_url": database_url,
            "redis_url": args.redis_url, "redis_key_prefix": f"bench:{uuid.uuid4().hex[:8]}:",
            "storage": "memory", "mailer": "memory", "rate_limit_enabled": "false",
            "jwt_secret": secrets.token_urlsafe(48), "password_pepper": secrets.token_urlsafe(48),
            "log_level": "WARNING", "docs_enabled": "false", "workers": str(args.workers),
            "galaxy_url": galaxy.url, "jobs_in_app": "false",
            "galaxy_timeout_seconds": "5",
        }  # fmt: skip
        env_vars = {f"ATELIER_{k.upper()}": v for k, v in values.items()}
        no_env = str(Path(tmp) / "no.env")
        settings = load_settings(env_vars, env_file=Path(no_env))
        email = asyncio.run(make_admin(settings))
        child_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")},
            **env_vars, "ATELIER_ENV_FILE": no_env, "PYTHONPATH": str(ROOT),
        }  # fmt: skip
        with server("entrypoints.asgi:app_factory", free_port(), args.workers, child_env) as base:
            lines = asyncio.run(run(base, email, fake, args.requests))
    print(f"workers {args.workers}; {os.cpu_count()} CPUs (shared machine); Python client")
    for text in lines:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
