"""Reaching the real services the adapter tests need: PostgreSQL, Redis, an S3 server.

Under ``CI=true`` (or ``ATELIER_TEST_REQUIRE_SERVICES=1``) an unreachable service fails
the run; elsewhere the tests that need it are skipped with a message saying how to start it.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "ATELIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("ATELIER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def services_required() -> bool:
    flag = os.environ.get("ATELIER_TEST_REQUIRE_SERVICES") or os.environ.get("CI", "")
    return flag.lower() in {"1", "true", "yes"}


def unavailable(what: str, how: str) -> None:
    message = f"{what} is not reachable ({how})"
    if services_required():
        pytest.fail(f"{message}; CI requires every real service", pytrace=False)
    pytest.skip(message)


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url.replace("+psycopg", ""))
    try:
        address = (parts.hostname or "127.0.0.1", parts.port or default_port)
        with socket.create_connection(address, 2):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def scratch_postgres_database() -> Iterator[str]:
    """Create an empty database for this test session; drop it afterwards."""
    import psycopg

    if not reachable(POSTGRES_ADMIN_URL, 5432):
        unavailable("PostgreSQL", POSTGRES_ADMIN_URL)
    name = f"atelier_test_{uuid.uuid4().hex[:12]}"
    admin = POSTGRES_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def s3_server() -> Iterator[str]:
    """An S3-compatible server (moto in server mode) on a free local port."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
