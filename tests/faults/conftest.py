"""The fault tier: private PostgreSQL, Redis and S3 servers, and ``atelier serve`` on them.

Everything here is private to the tier (never the machine's shared services): the tests stop,
freeze (SIGSTOP) and restart these servers. The figures each test measured are printed at the
end of the run (``nox -s faults``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.faults.support import ADMIN_EMAIL, ADMIN_PASSWORD, AppServer, cli_env
from tests.support.private_servers import PrivatePostgres, PrivateRedis, PrivateS3

FIGURES: list[str] = []


def _missing_binaries() -> list[str]:
    missing = [name for name in ("redis-server",) if shutil.which(name) is None]
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")) and not shutil.which("initdb"):
        missing.append("initdb")
    return missing


@dataclass
class Servers:
    postgres: PrivatePostgres
    redis: PrivateRedis
    s3: PrivateS3
    database_url: str


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    missing = _missing_binaries()
    if missing:
        from tests.support.services import unavailable

        unavailable("the fault tier's private servers", f"missing {', '.join(missing)}")
    with PrivatePostgres() as postgres, PrivateRedis() as redis, PrivateS3() as s3:
        url = postgres.create_database("atelier_faults")
        yield Servers(postgres, redis, s3, url)


@pytest.fixture(scope="session")
def app(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    env = cli_env(
        {
            "ATELIER_DATABASE_URL": servers.database_url,
            "ATELIER_REDIS_URL": servers.redis.url,
            "ATELIER_S3_ENDPOINT_URL": servers.s3.endpoint,
            "ATELIER_ADMIN_EMAIL": ADMIN_EMAIL,
            "ATELIER_ADMIN_PASSWORD": ADMIN_PASSWORD,
        }
    )
    server = AppServer(env, tmp_path_factory.mktemp("serve"))
    server.run_cli("migrate")
    server.run_cli("create-admin")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def figures() -> list[str]:
    return FIGURES


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("fault figures (seconds)")
        for line in FIGURES:
            terminalreporter.write_line(line)
