"""The fuzz tier's plumbing: Atelier served by uvicorn in a subprocess on a free port (either
profile, migrated, with an administrator), and a bounded Schemathesis run against it.

Nothing is mocked: the app is the one ``atelier serve`` runs (``entrypoints.asgi``), on the
embedded profile (a SQLite file) or the production one (PostgreSQL, Redis and an S3 server).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMA_PATH = "/schema/openapi.json"
ADMIN_PASSWORD = "fuzz-admin-" + "7" * 12  # a test account of a private server


@dataclass(frozen=True)
class Served:
    base: str
    email: str
    password: str
    log: Path


def _env(values: dict[str, str], tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    env.update({f"ATELIER_{k.upper()}": v for k, v in values.items()})
    env["ATELIER_ENV_FILE"] = str(tmp / "no.env")
    env["PYTHONPATH"] = str(ROOT)
    return env


def settings_for(
    profile: str,
    tmp: Path,
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    s3_endpoint: str | None = None,
) -> dict[str, str]:
    values = {
        "profile": profile,
        "data_dir": str(tmp / "data"),
        "admin_email": f"fuzz-admin-{uuid.uuid4().hex[:8]}@example.com",
        "admin_password": ADMIN_PASSWORD,
        "rate_limit_enabled": "false",  # the fuzzer sends thousands of requests a minute
        "mailer": "memory",
        "log_level": "WARNING",
        "access_token_ttl_seconds": "3600",
        "jobs_in_app": "false",
    }
    if profile == "production":
        assert database_url
        assert redis_url
        assert s3_endpoint
        values.update(
            {
                "database_url": database_url,
                "redis_url": redis_url,
                "redis_key_prefix": f"atelier-fuzz:{uuid.uuid4().hex[:8]}:",
                "s3_endpoint_url": s3_endpoint,
                "s3_bucket": f"fuzz-{uuid.uuid4().hex[:8]}",
                "s3_create_bucket": "true",
                "s3_access_key_id": "testing",
                "s3_secret_access_key": "testing",
                "jwt_secret": secrets.token_urlsafe(48),
                "password_pepper": secrets.token_urlsafe(48),
            }
        )
    return values


def _atelier(env: dict[str, str], *args: str) -> None:
    command = [str(Path(sys.executable).with_name("atelier")), *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"atelier {' '.join(args)} failed: {done.stderr.decode()[-2000:]}")


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within 60 s")


@contextmanager
def serve(values: dict[str, str], tmp: Path, port: int) -> Iterator[Served]:
    """Migrate, create the administrator, then ``uvicorn --factory entrypoints.asgi:app_factory``
    until the block ends."""
    env = _env(values, tmp)
    _atelier(env, "migrate")
    _atelier(env, "create-admin")
    log = tmp / "server.log"
    command = [
        sys.executable, "-m", "uvicorn", "entrypoints.asgi:app_factory", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        "--no-access-log",
    ]  # fmt: skip
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=log_file, stdout=log_file)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(f"{base}/health/ready", process)
            yield Served(base, values["admin_email"], values["admin_password"], log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


ALL_PHASES = "examples,coverage,fuzzing,stateful"


def run_schemathesis(
    served: Served,
    *,
    max_examples: int,
    phases: str = ALL_PHASES,
    workers: int = 1,
    seed: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """``schemathesis run`` over the whole document with every check, in ``phases``."""
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run",
        f"{served.base}{SCHEMA_PATH}", "--checks", "all", "--max-examples", str(max_examples),
        "--workers", str(workers), "--request-timeout", "10", "--no-color", "--phases", phases,
    ]  # fmt: skip
    if seed is not None:
        command += ["--seed", str(seed)]
    env = {
        **os.environ,
        "ATELIER_FUZZ_EMAIL": served.email,
        "ATELIER_FUZZ_PASSWORD": served.password,
        "NO_COLOR": "1",
        "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
