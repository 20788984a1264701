"""Image upload of a 12-megapixel JPEG: time to 201 and the server's peak memory.

Run: ``.venv/bin/python tests/benchmarks/bench_media.py [--uploads N] [--concurrency C]``.

Production profile on loopback: a scratch PostgreSQL database (created, migrated, dropped),
Redis, local file storage in a temporary folder, one uvicorn worker in a subprocess (so its
memory is the app's alone). A manager is created and logs in over HTTP; then a 4000x3000
JPEG (noise, about 9 MB, with EXIF and GPS tags) is uploaded ``--uploads`` times one after
the other, then ``--uploads`` times with ``--concurrency`` uploads in flight. Each upload is
streamed, judged from its bytes, its header read, its metadata stripped losslessly, stored,
recorded and its thumbnail job queued before the 201. Printed: the JPEG's size, time to 201
(p50, max) per phase, the server's resident memory after start-up and warm-up, and its peak
(``VmHWM`` of ``/proc``) after each phase. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import secrets
import statistics
import subprocess
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
    _wait_until_up,
    free_port,
    require_loopback,
    scratch_database,
)

PASSWORD = "bench-violet-sunrise-42"


def twelve_megapixels() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "BenchCam"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 30.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    picture = Image.effect_noise((4000, 3000), 48).convert("RGB")
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def memory_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in KiB."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


async def create_manager(settings: Any) -> str:
    from application.identity.use_cases.create_user import CreateUserCommand
    from domain.shared.access import Actor, Role
    from entrypoints.bootstrap.container import running

    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    async with running(settings) as container:
        identity: Any = container.identity
        await identity.create_user()(
            CreateUserCommand(
                actor=Actor(uuid.UUID(int=0), Role.ADMIN),
                email=email,
                password=PASSWORD,
                first_name="Bench",
                last_name="Manager",
                role=Role.MANAGER,
            )
        )
    return email


async def upload_phase(
    base: str, token: str, data: bytes, count: int, concurrency: int
) -> list[float]:
    import httpx

    times: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:

        async def one(n: int) -> None:
            async with gate:
                started = time.perf_counter()
                answer = await client.post(
                    "/api/v1/images",
                    headers={"Authorization": f"Bearer {token}"},
                    files={"file": (f"photo-{n}.jpg", data, "image/jpeg")},
                    data={"title": f"bench {n}"},
                )
                elapsed = time.perf_counter() - started
                if answer.status_code != 201:
                    raise RuntimeError(f"upload answered {answer.status_code}: {answer.text[:300]}")
                body = answer.json()
                assert (body["width"], body["height"]) == (4000, 3000)
                times.append(elapsed)

        await asyncio.gather(*(one(n) for n in range(count)))
    return times


def line(name: str, times: list[float]) -> str:
    return (f"{name:<34} n={len(times):<3} p50 {statistics.median(times) * 1000:7.0f} ms"
            f"   max {max(times) * 1000:7.0f} ms")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "ATELIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--redis-url", default=os.environ.get(
        "ATELIER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))  # fmt: skip
    args = parser.parse_args()
    if not 1 <= args.uploads <= 200 or not 1 <= args.concurrency <= 32:
        parser.error("--uploads 1..200, --concurrency 1..32")
    require_loopback(args.postgres_url, args.redis_url)

    import httpx

    from adapters.persistence.sqlalchemy.migrations import upgrade
    from entrypoints.bootstrap.settings import load_settings

    data = twelve_megapixels()
    print(f"JPEG: 4000x3000, {len(data) / 1e6:.1f} MB (EXIF with GPS)")
    with scratch_database(args.postgres_url) as database_url, tempfile.TemporaryDirectory() as tmp:
        upgrade(database_url)
        values = {
            "profile": "production", "data_dir": tmp, "database_url": database_url,
            "redis_url": args.redis_url, "redis_key_prefix": f"bench:{uuid.uuid4().hex[:8]}:",
            "storage": "local", "storage_dir": str(Path(tmp) / "files"), "mailer": "memory",
            "rate_limit_enabled": "false", "jwt_secret": secrets.token_urlsafe(48),
            "password_pepper": secrets.token_urlsafe(48), "log_level": "WARNING",
            "docs_enabled": "false", "workers": "1", "jobs_in_app": "false",
        }  # fmt: skip
        env_vars = {f"ATELIER_{k.upper()}": v for k, v in values.items()}
        no_env = str(Path(tmp) / "no.env")
        settings = load_settings(env_vars, env_file=Path(no_env))
        email = asyncio.run(create_manager(settings))
        child_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")},
            **env_vars, "ATELIER_ENV_FILE": no_env, "PYTHONPATH": str(ROOT),
        }  # fmt: skip
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "entrypoints.asgi:app_factory", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
             "--no-access-log"],
            cwd=ROOT, env=child_env,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base + "/health/live", process)
            token = httpx.post(f"{base}/api/v1/auth/login",
                               json={"email": email, "password": PASSWORD},
                               timeout=30).json()["access_token"]  # fmt: skip
            rss, _ = memory_kib(process.pid)
            print(f"server RSS after start-up and login: {rss / 1024:.0f} MiB")
            asyncio.run(upload_phase(base, token, data, 1, 1))  # warm-up
            rss, peak = memory_kib(process.pid)
            print(f"after one warm-up upload: RSS {rss / 1024:.0f} MiB, peak {peak / 1024:.0f} MiB")
            sequential = asyncio.run(upload_phase(base, token, data, args.uploads, 1))
            _, peak_sequential = memory_kib(process.pid)
            parallel = asyncio.run(upload_phase(base, token, data, args.uploads, args.concurrency))
            rss, peak_parallel = memory_kib(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=15)
    print()
    print(line("POST /images -> 201, one at a time", sequential))
    print(f"{'':<34} server peak RSS {peak_sequential / 1024:.0f} MiB")
    print(line(f"POST /images -> 201, {args.concurrency} at once", parallel))
    print(f"{'':<34} server peak RSS {peak_parallel / 1024:.0f} MiB (RSS at the end "
          f"{rss / 1024:.0f} MiB)")  # fmt: skip
    print("(loopback, 1 uvicorn worker, PostgreSQL + Redis + local storage on the same machine)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
