"""Throughput of Atelier's authentication path against bare Litestar baselines.

Run: ``.venv/bin/python tests/benchmarks/bench_identity.py [--workers N] [--duration S]``.

Production profile (PostgreSQL + Redis on loopback): a scratch database is created and
migrated, a user is seeded, and two uvicorn servers start in subprocesses with the same
settings: the Atelier app (plus a benchmark-only route behind its authentication) and a bare
Litestar app (a JSON route and a one-row primary-key read through SQLAlchemy Core/psycopg).
A load generator (``wrk`` when installed, else a Python httpx/asyncio one) measures each
target at 64 concurrent connections. Not collected by pytest (the name does not start with
``test_``).

Nothing is switched off to look fast: the servers log at INFO (one JSON access line per
request, written to a file as a container's stderr would be) and serve ``/metrics``; the run
ends by checking that both recorded every measured request. Rate limits are off so that the
limit (not the code) does not answer 429; logins rotate over ``LOGIN_ACCOUNTS`` accounts with
the right password (no lockout, no two concurrent logins of one account) and start without
a warm-up, which would leave a backlog of bcrypt work behind it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.support import free_port, scratch_database, server  # noqa: E402

BENCH_PASSWORD = "bench-violet-sunrise-42"
AUTHED_PATH = "/bench/authed"
LOGIN_ACCOUNTS = 256
LOGIN_SECONDS = 20
APPS = "tests.benchmarks.bench_identity"  # the module uvicorn --factory imports the apps from
APP_TARGETS = (
    "Atelier, no auth (live)",
    "authenticated (no DB)",
    "GET /api/v1/auth/me",
    "POST /api/v1/auth/login",
)


# -- the apps the servers run (uvicorn --factory imports these) --------------------------------
def atelier_app_factory() -> Any:
    """Atelier's app plus ``GET /bench/authed`` behind its bearer authentication."""
    from litestar import get
    from litestar.di import NamedDependency

    from domain.shared.access import Actor
    from entrypoints.bootstrap.container import build_container
    from entrypoints.bootstrap.settings import load_settings
    from entrypoints.http.app import create_app
    from entrypoints.http.auth import AuthenticationMiddleware, provide_actor

    @get(
        AUTHED_PATH,
        middleware=[AuthenticationMiddleware()],
        dependencies={"actor": provide_actor},
        sync_to_thread=False,
        signature_namespace={"NamedDependency": NamedDependency, "Actor": Actor},
    )
    def authed(actor: NamedDependency[Actor]) -> dict[str, str]:
        return {"status": "ok"}

    return create_app(build_container(load_settings()), extra_route_handlers=[authed], serving=True)


def bare_app_factory() -> Any:
    """A bare Litestar app: ``GET /bare`` (small JSON) and ``GET /row`` (one row by key)."""
    import sqlalchemy as sa
    from litestar import Litestar, get
    from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

    url = os.environ["BENCH_DATABASE_URL"]
    user_id = uuid.UUID(os.environ["BENCH_USER_ID"])
    state: dict[str, AsyncEngine] = {}
    users = sa.table("users", sa.column("id", sa.Uuid()), sa.column("email"), sa.column("role"))
    query = sa.select(users.c.id, users.c.email, users.c.role).where(users.c.id == user_id)

    async def startup() -> None:
        state["engine"] = create_async_engine(url, pool_size=10, max_overflow=5)

    async def shutdown() -> None:
        await state["engine"].dispose()

    @get("/bare", sync_to_thread=False)
    def bare() -> dict[str, str]:
        return {"status": "ok"}

    @get("/row")
    async def row() -> dict[str, str]:
        async with state["engine"].connect() as conn:
            found = (await conn.execute(query)).one()
        return {"id": str(found.id), "email": found.email, "role": found.role}

    return Litestar([bare, row], on_startup=[startup], on_shutdown=[shutdown])


# -- load generator (its own: warm-ups, and login bodies shared out per wrk thread) --------
@dataclass
class Target:
    name: str
    url: str
    method: str = "GET"
    headers: dict[str, str] | None = None
    body: str | None = None
    bodies: list[str] | None = None  # sent in turn (each load thread/worker its own share)
    warm_up: bool = True


@dataclass
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int = 0


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        return float("nan")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def run_wrk(target: Target, duration: int, connections: int) -> Result:
    lua = ["wrk.method = " + repr(target.method).replace("'", '"')]
    for name, value in (target.headers or {}).items():
        lua.append(f'wrk.headers["{name}"] = "{value}"')
    if target.body is not None:
        lua.append("wrk.body = [[" + target.body + "]]")
    if target.bodies:
        # thread i of n sends bodies i, i+n, i+2n, ...: no body is in flight twice at once
        lua.append("bodies = {" + ", ".join("[[" + b + "]]" for b in target.bodies) + "}")
        lua.append("local count, step, at = 0, 1, 0")
        lua.append("function setup(thread) count = count + 1; thread:set('first', count) end")
        lua.append(
            "function init(args) step = tonumber(args[1]) or 1; at = tonumber(first) or 1 end"
        )
        lua.append(
            "function request() local body = bodies[((at - 1) % #bodies) + 1]; at = at + step; "
            "return wrk.format(nil, nil, nil, body) end"
        )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lua) + "\n")
    threads = str(min(4, os.cpu_count() or 1))
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t",
                threads,
                "-c",
                str(connections),
                "-d",
                f"{duration}s",
                "--latency",
                "--timeout",
                "30s",
                "-s",
                script.name,
                target.url,
                "--",
                threads,
            ],
            capture_output=True,
            text=True,
            timeout=duration + 30,
            check=True,
        ).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0)))
    done = re.search(r"(\d+) requests in", output)
    return Result(
        rps,
        _ms(p50.group(1)) if p50 else 0.0,
        _ms(p99.group(1)) if p99 else 0.0,
        errors,
        int(done.group(1)) if done else 0,
    )


async def _python_load(target: Target, duration: int, connections: int) -> Result:
    import httpx

    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        stop = time.perf_counter() + duration

        async def worker(index: int) -> None:
            nonlocal errors
            turn = index
            while time.perf_counter() < stop:
                started = time.perf_counter()
                body = target.body
                if target.bodies:
                    body = target.bodies[turn % len(target.bodies)]
                    turn += connections
                try:
                    answer = await client.request(
                        target.method, target.url, headers=target.headers, content=body
                    )
                    if answer.status_code >= 300:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - started) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(connections)))
        elapsed = time.perf_counter() - began
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    return Result(len(latencies) / elapsed, pct(0.50), pct(0.99), errors, len(latencies))


def measure(target: Target, tool: str, duration: int, connections: int) -> Result:
    warm = max(1, duration // 5)
    if tool == "wrk":
        if target.warm_up:
            run_wrk(target, warm, connections)
        return run_wrk(target, duration, connections)
    if target.warm_up:
        asyncio.run(_python_load(target, warm, connections))
    return asyncio.run(_python_load(target, duration, connections))


def check_once(target: Target) -> None:
    import httpx

    body = target.bodies[0] if target.bodies else target.body
    answer = httpx.request(
        target.method, target.url, headers=target.headers, content=body, timeout=30
    )
    if answer.status_code != 200:
        raise RuntimeError(f"{target.name}: {answer.status_code} {answer.text[:200]}")


def clone_accounts(database_url: str, source_email: str, count: int) -> list[str]:
    """``count`` more accounts with the same password, copied in SQL from the seeded one
    (hashing each through the use case would take ``count`` bcrypt rounds of seconds)."""
    import psycopg

    from adapters.persistence.sqlalchemy.identity.tables import users

    copied = [c.name for c in users.columns if c.name not in ("id", "email", "email_normalized")]
    columns = ", ".join(copied)
    emails = [f"perf-login-{i}@example.com" for i in range(count)]
    plain = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        for email in emails:
            conn.execute(
                f"INSERT INTO users (id, email, email_normalized, {columns}) "
                f"SELECT %s, %s, %s, {columns} FROM users WHERE email_normalized = %s",
                (uuid.uuid4(), email, email, source_email),
            )
    return emails


def count_access_lines(log_path: Path, path_prefix: str = "") -> int:
    """Access-log lines the server wrote (for routes starting with ``path_prefix``)."""
    count = 0
    with log_path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if '"atelier.http.access"' in line and f'"route":"{path_prefix}' in line:
                count += 1
    return count


def counted_by_metrics(base: str) -> int:
    """The sum of ``atelier_http_requests_total`` on the app's ``/metrics``."""
    import httpx

    text = httpx.get(f"{base}/metrics", timeout=10).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith("atelier_http_requests_total{"):
            total += float(line.rsplit(" ", 1)[1])
    return int(total)


def hash_time(pepper: str, rounds: int) -> float:
    from adapters.security.bcrypt_hasher import BcryptPasswordHasher

    hasher = BcryptPasswordHasher(pepper=pepper.encode(), rounds=rounds)
    asyncio.run(hasher.hash(BENCH_PASSWORD))  # warm-up
    started = time.perf_counter()
    asyncio.run(hasher.hash(BENCH_PASSWORD))
    return (time.perf_counter() - started) * 1000


async def seed(settings: Any) -> tuple[str, str]:
    """An administrator and an access token for them (through the use cases)."""
    from application.identity.use_cases.create_user import CreateUserCommand
    from application.identity.use_cases.login import LoginCommand
    from domain.shared.access import Actor, Role
    from entrypoints.bootstrap.container import build_container, shutdown, start

    container = build_container(settings)

    await start(container)
    try:
        view = await container.identity.create_user()(
            CreateUserCommand(
                actor=Actor(user_id=uuid.UUID(int=0), role=Role.ADMIN),
                email="perf-admin@example.com",
                password=BENCH_PASSWORD,
                first_name="Bench",
                last_name="Mark",
                role=Role.ADMIN,
            )
        )
        pair = await container.identity.login()(
            LoginCommand(email="perf-admin@example.com", password=BENCH_PASSWORD)
        )
    finally:
        await shutdown(container)
    return str(view.id), pair.access_token


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--duration", type=int, default=6, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--bcrypt-rounds", type=int, default=12)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "ATELIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("ATELIER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    if not 1 <= args.duration <= 60:
        parser.error("--duration must be between 1 and 60 seconds")
    tool = "wrk" if args.tool == "auto" and shutil.which("wrk") else args.tool
    tool = "python" if tool == "auto" else tool
    for url in (args.postgres_url, args.redis_url):
        if "127.0.0.1" not in url and "localhost" not in url and "[::1]" not in url:
            parser.error("only loopback services are allowed")

    from adapters.persistence.sqlalchemy.migrations import upgrade
    from entrypoints.bootstrap.settings import load_settings

    jwt_secret, pepper = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
    prefix = f"atelier-bench:{uuid.uuid4().hex[:8]}:"
    with scratch_database(args.postgres_url) as database_url, tempfile.TemporaryDirectory() as tmp:
        upgrade(database_url)
        values = {
            "profile": "production",
            "data_dir": tmp,
            "database_url": database_url,
            "redis_url": args.redis_url,
            "redis_key_prefix": prefix,
            "storage": "memory",
            "mailer": "memory",
            "jwt_secret": jwt_secret,
            "password_pepper": pepper,
            "bcrypt_rounds": str(args.bcrypt_rounds),
            "rate_limit_enabled": "false",
            "log_level": "INFO",
            "log_json": "true",
            "docs_enabled": "false",
        }
        env_vars = {f"ATELIER_{k.upper()}": v for k, v in values.items()}
        settings = load_settings(env_vars, env_file=Path(tmp) / "no.env")
        user_id, token = asyncio.run(seed(settings))
        accounts = clone_accounts(database_url, "perf-admin@example.com", LOGIN_ACCOUNTS)
        child_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")},
            **env_vars,
            "ATELIER_ENV_FILE": str(Path(tmp) / "no.env"),
            "PYTHONPATH": str(ROOT),
            "BENCH_DATABASE_URL": database_url,
            "BENCH_USER_ID": user_id,
        }
        single_hash_ms = hash_time(pepper, args.bcrypt_rounds)
        bare_port, app_port = free_port(), free_port()
        app_log = Path(tmp) / "atelier-server.log"
        with (
            server(f"{APPS}:bare_app_factory", bare_port, args.workers, child_env) as bare,
            server(
                f"{APPS}:atelier_app_factory", app_port, args.workers, child_env, log_path=app_log
            ) as app,
        ):
            auth = {"Authorization": f"Bearer {token}"}
            login_bodies = [
                f'{{"email": "{email}", "password": "{BENCH_PASSWORD}"}}' for email in accounts
            ]
            targets = [
                Target("bare JSON", f"{bare}/bare"),
                Target("Atelier, no auth (live)", f"{app}/health/live"),
                Target("authenticated (no DB)", f"{app}{AUTHED_PATH}", headers=auth),
                Target("bare one-row read", f"{bare}/row"),
                Target("GET /api/v1/auth/me", f"{app}/api/v1/auth/me", headers=auth),
                Target(
                    "POST /api/v1/auth/login",
                    f"{app}/api/v1/auth/login",
                    method="POST",
                    headers={"Content-Type": "application/json"},
                    bodies=login_bodies,
                    warm_up=False,
                ),
            ]
            print(
                f"load generator: {tool}; {args.connections} connections; {args.duration} s "
                f"per target; uvicorn workers: {args.workers}; bcrypt rounds {args.bcrypt_rounds}"
            )
            results: dict[str, Result] = {}
            for target in targets:
                check_once(target)
                # 64 queued logins each wait for bcrypt: give them time to come back at all
                seconds = max(args.duration, LOGIN_SECONDS) if not target.warm_up else args.duration
                results[target.name] = measure(target, tool, seconds, args.connections)
            time.sleep(1)  # the last answers' log lines and observations
            measured = sum(r.requests for n, r in results.items() if n in APP_TARGETS)
            logged = count_access_lines(app_log)
            observed = counted_by_metrics(app)
        print(f"{'target':<26}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
        for name, r in results.items():
            print(
                f"{name:<26}{r.requests_per_second:>10.0f}{r.p50_ms:>10.2f}"
                f"{r.p99_ms:>10.2f}{r.errors:>8}"
            )
        authed = results["authenticated (no DB)"].requests_per_second
        bare_rps = results["bare JSON"].requests_per_second
        me = results["GET /api/v1/auth/me"].requests_per_second
        row = results["bare one-row read"].requests_per_second
        login = results["POST /api/v1/auth/login"].requests_per_second
        print(
            f"Atelier requests measured {measured}; access-log lines {logged}; "
            f"counted by /metrics {observed} (both include warm-ups and checks)"
        )
        if logged < measured or observed < measured:
            print("WARNING: the access log or the metrics missed requests")
        print(f"authenticated / bare JSON  = {authed / bare_rps:.0%} (target >= 30%)")
        print(f"/auth/me / bare one-row    = {me / row:.0%} (target >= 50%)")
        bound = 1000 / single_hash_ms * (os.cpu_count() or 1)
        print(
            f"login: {login:.1f} req/s; one bcrypt hash = {single_hash_ms:.1f} ms "
            f"(upper bound ~{bound:.0f} req/s with {os.cpu_count()} CPUs)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
