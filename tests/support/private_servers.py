"""Private servers a test may stop, freeze (SIGSTOP) and restart: never the shared ones.

* :class:`PrivatePostgres`: a scratch cluster (``initdb`` + ``pg_ctl``) on a free port, trust
  authentication, TCP only. Frozen as a whole: the postmaster and every backend.
* :class:`PrivateRedis`: ``redis-server`` on a free port without persistence, so a restart
  starts empty.
* :class:`PrivateS3`: moto's S3 server in its own process (``moto_server``), so it can be
  frozen; a restart starts empty.

Each is a context manager that removes everything it created. When the tests run as root
(containers), PostgreSQL runs as the ``postgres`` user, as it refuses to run as root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.support.services import free_port

STARTUP_SECONDS = 30.0


def _wait_for_port(port: int, process: subprocess.Popen[bytes] | None, what: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {STARTUP_SECONDS} s")


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc)."""
    found: list[int] = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(stat.split("/")[2]))
    return found


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


class _Server:
    name = "server"

    def __init__(self) -> None:
        self.port = free_port()
        self.frozen = False

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.frozen:
            self.thaw()
        self.stop()
        self.cleanup()

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def cleanup(self) -> None:
        """Remove what ``start`` created (after the last ``stop``)."""

    def pids(self) -> list[int]:
        raise NotImplementedError

    def freeze(self) -> None:
        """SIGSTOP every process of the server: it keeps its sockets and answers nothing."""
        _signal_all(self.pids(), signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        _signal_all(list(reversed(self.pids())), signal.SIGCONT)
        self.frozen = False

    @contextlib.contextmanager
    def frozen_for(self) -> Iterator[None]:
        self.freeze()
        try:
            yield
        finally:
            self.thaw()

    def restart(self) -> None:
        self.stop()
        self.start()


class PrivateRedis(_Server):
    name = "redis"

    def __init__(self) -> None:
        super().__init__()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self._process = subprocess.Popen(
            [
                binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--protected-mode", "no",
                "--loglevel", "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_for_port(self.port, self._process, "redis-server")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(10)

    def pids(self) -> list[int]:
        return [] if self._process is None else [self._process.pid]


class PrivateS3(_Server):
    name = "s3"

    def __init__(self) -> None:
        super().__init__()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        moto = Path(sys.executable).parent / "moto_server"
        command = [str(moto)] if moto.exists() else [sys.executable, "-m", "moto.server"]
        self._process = subprocess.Popen(
            [*command, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"},
        )
        _wait_for_port(self.port, self._process, "moto_server")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(10)

    def pids(self) -> list[int]:
        return [] if self._process is None else [self._process.pid]


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise RuntimeError(f"{name} (PostgreSQL server binaries) is not installed")
    return found[-1]


class PrivatePostgres(_Server):
    """A scratch cluster: ``initdb`` once, then ``pg_ctl start/stop`` as often as needed."""

    name = "postgres"

    def __init__(self) -> None:
        super().__init__()
        self._root = Path(tempfile.mkdtemp(prefix="atelier-pg-"))
        self._data = self._root / "data"
        self._user: str | None = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self._user = "postgres"
            account = pwd.getpwnam(self._user)
            os.chown(self._root, account.pw_uid, account.pw_gid)
        self._initialised = False

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            list(args), user=self._user, capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {result.stderr or result.stdout}")

    def start(self) -> None:
        if not self._initialised:
            self._run(
                _postgres_bin("initdb"), "-D", str(self._data), "-U", "postgres",
                "--auth=trust", "--no-sync", "-E", "UTF8", "--no-instructions",
            )  # fmt: skip
            self._initialised = True
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c fsync=off -c max_connections=60"
        )
        self._run(
            _postgres_bin("pg_ctl"), "-D", str(self._data), "-l", str(self._root / "log"),
            "-w", "-t", "60", "-o", options, "start",
        )  # fmt: skip

    def stop(self) -> None:
        if self._initialised and (self._data / "postmaster.pid").exists():
            self._run(_postgres_bin("pg_ctl"), "-D", str(self._data), "-m", "fast", "-w", "stop")

    def cleanup(self) -> None:
        shutil.rmtree(self._root, ignore_errors=True)

    def pids(self) -> list[int]:
        """The postmaster first, then its children (the order SIGSTOP wants: no new forks)."""
        pid_file = self._data / "postmaster.pid"
        if not pid_file.exists():
            return []
        postmaster = int(pid_file.read_text().split()[0])
        return [postmaster, *_children(postmaster)]

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
