"""The fault tier's harness: ``atelier serve`` on private servers, a write load, timings.

:class:`AppServer` runs the real command (the production profile; uvicorn or granian, see
``ATELIER_TEST_SERVER``) against the private PostgreSQL, Redis and S3 server of the tier,
with small timeouts (``FAULT_SETTINGS``) so that the bounds the tests derive from them keep
the tier short. :class:`WriteLoad` keeps creating
equipment (each creation also writes its audit entry, in the same transaction) and records
every answer; :func:`outcome` checks afterwards that every 2xx write is there and that no
write is half there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from adapters.cache.redis import RedisCache
from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.storage.s3 import S3BlobStorage
from tests.support.server_choice import server_env
from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[2]
ATELIER = [sys.executable, "-m", "entrypoints.cli.main"]
SECRET = "Zr4t9Qm2Lx8Vb6Nc1Hs5Jd7Kf3Gw0Py-TuEaRoIi"
ADMIN_EMAIL = "operator@example.org"
ADMIN_PASSWORD = "Granite-Lantern-42x-Meadow"
READY_BOUND_SECONDS = 2.0
"""``/health/ready`` answers within this, whatever a dependency does."""
SLACK_SECONDS = 1.0
SCENARIO_LIMIT_SECONDS = 90.0
"""Scheduling noise on a loaded 2-core machine, added to every bound derived from settings."""

FAULT_SETTINGS: dict[str, str] = {
    "ATELIER_DATABASE_STATEMENT_TIMEOUT_MS": "500",
    "ATELIER_DATABASE_POOL_TIMEOUT_SECONDS": "0.5",
    "ATELIER_DATABASE_CONNECT_TIMEOUT_SECONDS": "2",
    "ATELIER_DATABASE_POOL_SIZE": "5",
    "ATELIER_DATABASE_MAX_OVERFLOW": "2",
    "ATELIER_REDIS_CONNECT_TIMEOUT_SECONDS": "0.5",
    "ATELIER_REDIS_SOCKET_TIMEOUT_SECONDS": "0.5",
    "ATELIER_REDIS_RETRIES": "1",
    "ATELIER_REDIS_COOLDOWN_SECONDS": "0.5",
    "ATELIER_S3_CONNECT_TIMEOUT_SECONDS": "0.5",
    "ATELIER_S3_READ_TIMEOUT_SECONDS": "1",
    "ATELIER_S3_MAX_ATTEMPTS": "2",
}


def _seconds(name: str) -> float:
    return float(FAULT_SETTINGS[name])


def redis_bound() -> float:
    """The longest a request may wait for Redis before its 503 (from the settings)."""
    return RedisCache.worst_case_seconds(
        connect_timeout_seconds=_seconds("ATELIER_REDIS_CONNECT_TIMEOUT_SECONDS"),
        socket_timeout_seconds=_seconds("ATELIER_REDIS_SOCKET_TIMEOUT_SECONDS"),
        retries=int(FAULT_SETTINGS["ATELIER_REDIS_RETRIES"]),
    )


def database_bound() -> float:
    return SqlDatabase.worst_case_seconds(
        pool_timeout=_seconds("ATELIER_DATABASE_POOL_TIMEOUT_SECONDS"),
        statement_timeout_ms=int(FAULT_SETTINGS["ATELIER_DATABASE_STATEMENT_TIMEOUT_MS"]),
        connect_timeout=_seconds("ATELIER_DATABASE_CONNECT_TIMEOUT_SECONDS"),
    )


def storage_bound() -> float:
    return S3BlobStorage.worst_case_seconds(
        connect_timeout_seconds=_seconds("ATELIER_S3_CONNECT_TIMEOUT_SECONDS"),
        read_timeout_seconds=_seconds("ATELIER_S3_READ_TIMEOUT_SECONDS"),
        max_attempts=int(FAULT_SETTINGS["ATELIER_S3_MAX_ATTEMPTS"]),
    )


def cli_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    env.update(
        PYTHONPATH=str(ROOT),
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        ATELIER_PROFILE="production",
        ATELIER_JWT_SECRET=SECRET,
        ATELIER_PASSWORD_PEPPER=SECRET[::-1],
        ATELIER_DOCUMENT_KEYS="faults1=" + "A" * 43,
        ATELIER_BCRYPT_ROUNDS="4",
        ATELIER_LOG_LEVEL="WARNING",
        ATELIER_RATE_LIMITS="default=100000/m,login=1000/m",
        ATELIER_S3_ACCESS_KEY_ID="testing",
        ATELIER_S3_SECRET_ACCESS_KEY="testing",
        ATELIER_S3_CREATE_BUCKET="true",
        ATELIER_S3_BUCKET="atelier-faults",
        **FAULT_SETTINGS,
    )
    env.update(server_env())
    env.update(extra)
    return env


class AppServer:
    """``atelier serve`` in a subprocess; its output goes to ``log``."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._env = env
        self._workdir = workdir
        self.log = workdir / "serve.log"
        self._process: subprocess.Popen[bytes] | None = None

    def run_cli(self, *args: str) -> None:
        result = subprocess.run(
            [*ATELIER, *args],
            env=self._env,
            cwd=self._workdir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"atelier {' '.join(args)} failed: {result.stderr}")

    def start(self) -> None:
        with self.log.open("ab") as out:
            self._process = subprocess.Popen(
                [*ATELIER, "serve", "--port", str(self.port)],
                env=self._env,
                cwd=self._workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"atelier serve exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/health/live", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError("atelier serve did not answer within 60 s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@dataclass
class Answer:
    kind: str
    started: float
    ended: float
    status: int
    body: Any = None
    retry_after: str | None = None
    name: str | None = None

    @property
    def seconds(self) -> float:
        return self.ended - self.started


async def timed(kind: str, call: Awaitable[httpx.Response], *, name: str | None = None) -> Answer:
    started = time.monotonic()
    try:
        response = await call
    except httpx.HTTPError as exc:  # no answer at all: recorded as status 0
        return Answer(kind, started, time.monotonic(), 0, repr(exc), name=name)
    ended = time.monotonic()
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return Answer(
        kind, started, ended, response.status_code, body, response.headers.get("retry-after"), name
    )


@dataclass
class WriteLoad:
    """``workers`` loops creating equipment until stopped; every answer is kept."""

    client: httpx.AsyncClient
    token: str
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    workers: int = 4
    answers: list[Answer] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def _worker(self, index: int) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1
            name = f"fault-{self.tag}-{index}-{n}"
            call = self.client.post(
                "/api/v1/equipment",
                json={"name": name, "type": "pump", "serial_number": name},
                headers={"Authorization": f"Bearer {self.token}"},
            )
            self.answers.append(await timed("write", call, name=name))
            await asyncio.sleep(0.02)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._worker(i)) for i in range(self.workers)]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)


@contextlib.asynccontextmanager
async def client_for(app: AppServer) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(base_url=app.base_url, timeout=60, limits=limits) as client:
        yield client


async def admin_token(client: httpx.AsyncClient) -> str:
    answer = await client.post(
        "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


async def poll_ready(client: httpx.AsyncClient, stop: asyncio.Event, out: list[Answer]) -> None:
    while not stop.is_set():
        out.append(await timed("ready", client.get("/health/ready")))
        await asyncio.sleep(0.15)


async def until_recovered(
    client: httpx.AsyncClient, token: str, *, limit_seconds: float = 30.0
) -> float:
    """Seconds until readiness says ok and a write succeeds (polled every 50 ms)."""
    started = time.monotonic()
    while time.monotonic() - started < limit_seconds:
        ready = await client.get("/health/ready")
        if ready.status_code == 200:
            name = f"fault-recovery-{uuid.uuid4().hex[:8]}"
            write = await client.post(
                "/api/v1/equipment",
                json={"name": name, "type": "pump", "serial_number": name},
                headers={"Authorization": f"Bearer {token}"},
            )
            if write.status_code == 201:
                return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"not recovered within {limit_seconds} s")


@dataclass
class Fault:
    """What happened around one fault: answers, readiness probes, the instants."""

    writes: list[Answer]
    probes: list[Answer]
    began: float
    ended: float
    recovery_seconds: float

    def during(self, kind: str, bound: float) -> list[Answer]:
        """Answers that started while the fault lasted and had the time to finish in it."""
        answers = self.writes if kind == "write" else self.probes
        return [a for a in answers if self.began <= a.started <= self.ended - bound]

    def slowest(self, answers: list[Answer]) -> float:
        return max((a.seconds for a in answers), default=0.0)


async def run_fault(
    app: AppServer,
    *,
    inject: Callable[[], None],
    repair: Callable[[], None],
    hold_seconds: float,
    during: Callable[[], Awaitable[object]] | None = None,
) -> Fault:
    """Writes and readiness probes run before, during and after ``inject()``..``repair()``;
    ``during()`` runs once the fault is in place (it must finish within ``hold_seconds``).
    A scenario that hangs fails after ``SCENARIO_LIMIT_SECONDS`` instead of hanging the tier."""
    async with asyncio.timeout(SCENARIO_LIMIT_SECONDS), client_for(app) as client:
        token = await admin_token(client)
        assert (await client.get("/health/ready")).status_code == 200
        load = WriteLoad(client, token)
        probes: list[Answer] = []
        stop_probes = asyncio.Event()
        load.start()
        prober = asyncio.create_task(poll_ready(client, stop_probes, probes))
        await asyncio.sleep(0.5)
        await asyncio.to_thread(inject)
        began = time.monotonic()  # once the fault is fully in place
        try:
            await asyncio.gather(asyncio.sleep(hold_seconds), during() if during else _nothing())
        finally:
            ended = time.monotonic()
            await asyncio.to_thread(repair)
        recovery = await until_recovered(client, token)
        await asyncio.sleep(0.3)
        stop_probes.set()
        await prober
        await load.stop()
        return Fault(load.answers, probes, began, ended, recovery)


async def _nothing() -> None:
    return None


async def check_writes(app: AppServer, fault: Fault, database_url: str) -> dict[str, int]:
    """Every 2xx write is there (through the API and in the database, with its audit entry);
    nothing is half written. Returns the counts by status."""
    created = {str(a.name): a.body["id"] for a in fault.writes if a.status == 201}
    async with client_for(app) as client:
        token = await admin_token(client)
        headers = {"Authorization": f"Bearer {token}"}
        for name, equipment_id in created.items():
            found = await client.get(f"/api/v1/equipment/{equipment_id}", headers=headers)
            assert found.status_code == 200, (name, found.text)
            assert found.json()["name"] == name
    tags = {a.name.rsplit("-", 2)[0] for a in fault.writes if a.name}
    with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
        for tag in tags:
            rows = conn.execute(
                "SELECT e.name, count(a.id) FROM equipment e "
                "LEFT JOIN audit_log a ON a.entity_id = e.id AND a.action = 'create' "
                "WHERE e.name LIKE %s GROUP BY e.name",
                (f"{tag}-%",),
            ).fetchall()
            audited: dict[str, int] = {str(name): int(count) for name, count in rows}
            mine = {n for n in created if n.startswith(f"{tag}-")}
            assert mine <= set(audited), mine - set(audited)  # every 2xx write is stored
            assert all(count == 1 for count in audited.values()), audited  # with its audit
            orphans = conn.execute(
                "SELECT count(*) FROM audit_log a LEFT JOIN equipment e ON e.id = a.entity_id "
                "WHERE a.entity_type = 'equipment' AND a.action = 'create' AND e.id IS NULL"
            ).fetchone()
            assert orphans == (0,)  # no audit entry without its equipment
    counts: dict[str, int] = {}
    for answer in fault.writes:
        counts[str(answer.status)] = counts.get(str(answer.status), 0) + 1
    return counts


def figures_line(name: str, **values: float | int | str) -> str:
    shown = ", ".join(
        f"{key}={value:.2f}" if isinstance(value, float) else f"{key}={value}"
        for key, value in values.items()
    )
    return f"{name}: {shown}"


def dump(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, default=str))
