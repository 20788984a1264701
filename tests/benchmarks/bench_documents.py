"""Documents: upload and download of a 100 MiB document, plain and encrypted, to S3 (a moto
server) and to local files; MiB/s and the peak RSS growth of the server process.

1. A moto S3 server starts in this process (a thread, on a free loopback port).
2. For each storage, Atelier starts with uvicorn in a subprocess (one worker, the embedded
   profile's SQLite database, rate limits off, ``ATELIER_DOCUMENT_MAX_BYTES`` 256 MiB).
3. For each of plain (``kind=photo``) and encrypted (``kind=invoice``), a 100 MiB PDF-typed
   body is streamed as ``multipart/form-data`` (generated on the fly, never whole in this
   process either), then downloaded from ``/documents/{id}/content``; the SHA-256 of what
   comes back must equal what was sent.
4. The server's RSS is sampled from ``/proc/<pid>/status`` every 20 ms; the growth is the
   peak during the transfer minus the RSS just before it (target: < 64 MiB).

Usage: ``.venv/bin/python tests/benchmarks/bench_documents.py [--mib 100]``
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.support import free_port  # noqa: E402

MIB = 1024 * 1024
TARGET_RSS_MIB = 64
PASSWORD = "bench-documents-violet-42"
BOUNDARY = "atelierbenchboundary"


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class RssSampler:
    """The peak RSS of a process between ``start`` and ``stop`` (sampled every 20 ms)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.base = self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> RssSampler:
        self.base = self.peak = rss_bytes(self.pid)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pid))
            time.sleep(0.02)

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak = max(self.peak, rss_bytes(self.pid))

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.base) / MIB


@contextmanager
def atelier(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "entrypoints.asgi:app_factory", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}")
            try:
                httpx.get(base + "/health/live", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def prepare(env: dict[str, str], data_dir: Path) -> tuple[str, str]:
    """Migrate the SQLite database and make a manager; (e-mail, password)."""
    from adapters.persistence.sqlalchemy.migrations import upgrade
    from application.identity.use_cases.create_user import CreateUserCommand
    from domain.shared.access import Actor, Role
    from entrypoints.bootstrap.container import running
    from entrypoints.bootstrap.settings import load_settings

    settings = load_settings(env, env_file=data_dir / "no.env")
    upgrade(settings.effective_database_url)
    email = f"bench.{uuid.uuid4().hex[:8]}@example.test"

    async def make() -> None:
        async with running(settings) as container:
            await container.identity.create_user()(  # type: ignore[attr-defined]
                CreateUserCommand(
                    actor=Actor(user_id=uuid.UUID(int=0), role=Role.ADMIN), email=email,
                    password=PASSWORD, first_name="Bench", last_name="Manager",
                    role=Role.MANAGER,
                )
            )  # fmt: skip

    asyncio.run(make())
    return email, PASSWORD


def multipart(size: int, kind: str, digest: Any) -> tuple[int, AsyncIterator[bytes]]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    block = b"%PDF-1.7\n" + os.urandom(MIB - 9)

    async def body() -> AsyncIterator[bytes]:
        yield head
        sent = 0
        while sent < size:
            piece = block[: min(MIB, size - sent)]
            digest.update(piece)
            sent += len(piece)
            yield piece
        yield tail

    return len(head) + size + len(tail), body()


async def transfer(base: str, token: str, pid: int, size: int, kind: str) -> dict[str, float]:
    auth = {"Authorization": f"Bearer {token}"}
    timeout = httpx.Timeout(600.0)
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as client:
        sent = hashlib.sha256()
        length, body = multipart(size, kind, sent)
        headers = {**auth, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                   "Content-Length": str(length)}  # fmt: skip
        with RssSampler(pid) as up_rss:
            began = time.perf_counter()
            answer = await client.post("/api/v1/documents", content=body, headers=headers)
            up_seconds = time.perf_counter() - began
        if answer.status_code != 201:
            raise RuntimeError(f"upload answered {answer.status_code}: {answer.text[:300]}")
        document = answer.json()
        assert document["sha256"] == sent.hexdigest(), "the server hashed other bytes"
        received = hashlib.sha256()
        count = 0
        with RssSampler(pid) as down_rss:
            began = time.perf_counter()
            path = f"/api/v1/documents/{document['id']}/content"
            async with client.stream("GET", path, headers=auth) as response:
                if response.status_code != 200:
                    raise RuntimeError(f"download answered {response.status_code}")
                async for chunk in response.aiter_raw():
                    received.update(chunk)
                    count += len(chunk)
            down_seconds = time.perf_counter() - began
        if count != size or received.hexdigest() != sent.hexdigest():
            raise RuntimeError("the downloaded bytes differ from the uploaded ones")
        return {
            "encrypted": float(document["encrypted"]),
            "up_mib_s": size / MIB / up_seconds,
            "down_mib_s": size / MIB / down_seconds,
            "up_rss": up_rss.growth_mib,
            "down_rss": down_rss.growth_mib,
            "base_rss": up_rss.base / MIB,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=100, help="document size in MiB")
    parser.add_argument(
        "--storage", choices=["s3", "local"], action="append", help="only these (repeatable)"
    )
    args = parser.parse_args()
    if not 1 <= args.mib <= 1024:
        parser.error("--mib must be between 1 and 1024")
    size = args.mib * MIB

    import logging

    from adapters.security.document_cipher import generate_key
    from tests.support.services import s3_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request lines

    rows: list[str] = []
    failures = 0
    with s3_server() as endpoint, tempfile.TemporaryDirectory() as tmp:
        for storage in args.storage or ("s3", "local"):
            data_dir = Path(tmp) / storage
            values = {
                "profile": "embedded", "data_dir": str(data_dir), "storage": storage,
                "rate_limit_enabled": "false", "log_level": "WARNING", "docs_enabled": "false",
                "document_max_bytes": str(256 * MIB), "document_keys": f"k1={generate_key()}",
                "jobs_in_app": "false", "s3_endpoint_url": endpoint,
                "s3_bucket": f"bench-{uuid.uuid4().hex[:8]}", "s3_create_bucket": "true",
                "s3_access_key_id": "testing", "s3_secret_access_key": "testing",
                "s3_read_timeout_seconds": "60",
            }  # fmt: skip
            env_vars = {f"ATELIER_{k.upper()}": v for k, v in values.items()}
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")},
                **env_vars, "ATELIER_ENV_FILE": str(data_dir / "no.env"),
                "PYTHONPATH": str(ROOT),
            }  # fmt: skip
            data_dir.mkdir(parents=True)
            email, password = prepare(env_vars, data_dir)
            with atelier(env) as (base, pid):
                token = httpx.post(
                    base + "/api/v1/auth/login", json={"email": email, "password": password},
                    timeout=30,
                ).json()["access_token"]  # fmt: skip
                for kind in ("photo", "invoice"):
                    r = asyncio.run(transfer(base, token, pid, size, kind))
                    mode = "encrypted" if r["encrypted"] else "plain"
                    worst = max(r["up_rss"], r["down_rss"])
                    ok = worst < TARGET_RSS_MIB
                    failures += not ok
                    rows.append(
                        f"{storage:<6} {mode:<10} up {r['up_mib_s']:7.1f} MiB/s  "
                        f"down {r['down_mib_s']:7.1f} MiB/s  peak RSS growth up "
                        f"{r['up_rss']:5.1f} MiB, down {r['down_rss']:5.1f} MiB "
                        f"(server at {r['base_rss']:.0f} MiB before)  "
                        f"{'OK' if ok else 'OVER'} (< {TARGET_RSS_MIB} MiB)"
                    )
                    print(rows[-1], flush=True)
    print(f"\n{args.mib} MiB per document, one uvicorn worker, loopback:")
    for line in rows:
        print("  " + line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
