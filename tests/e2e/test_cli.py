"""The ``atelier`` command as an operator uses it: a real process, a fresh data folder."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.server_choice import chosen_server, server_env
from tests.support.services import free_port

ATELIER = [sys.executable, "-m", "entrypoints.cli.main"]
ROOT = Path(__file__).resolve().parents[2]


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    env.update(
        ATELIER_DATA_DIR=str(data_dir),
        ATELIER_ENV_FILE=str(data_dir / "none.env"),
        ATELIER_BCRYPT_ROUNDS="4",
        PYTHONPATH=str(ROOT),
    )
    env.update(server_env())
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ATELIER, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return (
                response.status,
                response.read(),
                {k.lower(): v for k, v in response.headers.items()},
            )
    except urllib.error.HTTPError as error:
        return error.code, error.read(), {k.lower(): v for k, v in error.headers.items()}


@contextmanager
def _serving(tmp_path: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``atelier serve`` on the embedded profile from an empty folder."""
    port = free_port()
    process = subprocess.Popen(
        [*ATELIER, "serve", "--port", str(port), *args],
        env=_env(tmp_path / "var"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"atelier serve exited: {process.stdout.read() if process.stdout else ''}")
        try:
            if _get(f"{base}/health/live")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("atelier serve did not answer within 60 s")
    try:
        yield base, process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    with _serving(tmp_path) as server:
        yield server


def _requests_counted(metrics: bytes, route: str) -> float:
    total = 0.0
    for line in metrics.decode().splitlines():
        if line.startswith("atelier_http_requests_total{") and f'route="{route}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.mark.slow
def test_metrics_count_every_request_of_every_worker(tmp_path: Path) -> None:
    with _serving(tmp_path, "--workers", "2") as (base, _):
        seen = []
        for round_ in range(3):
            for _ in range(20):
                assert _get(f"{base}/health/live")[0] == 200
            status, metrics, _ = _get(f"{base}/metrics")
            assert status == 200
            seen.append(_requests_counted(metrics, "/health/live"))
            # every request so far, whichever worker answered it and the scrape
            assert seen[-1] >= 20 * (round_ + 1), seen
    assert seen == sorted(seen)  # a counter scraped again never goes down


def test_serve_embedded_from_an_empty_folder(
    served: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    base, _ = served
    status, body, _ = _get(f"{base}/health/ready")
    assert status == 200, body
    assert json.loads(body)["checks"] == {"database": "ok", "cache": "ok", "storage": "ok"}
    status, page, headers = _get(f"{base}/schema/swagger")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    scripts = re.findall(rb'(?:src|href)="([^"]+)"', page)
    assert scripts
    for asset in scripts:
        assert not asset.startswith(b"http"), f"the docs page loads {asset!r} from the internet"
        assert _get(f"{base}{asset.decode()}")[0] == 200
    assert (tmp_path / "var" / "atelier.db").is_file()
    assert (tmp_path / "var" / "secrets.json").stat().st_mode & 0o077 == 0
    # the data folder and the database with its -wal/-shm files: the owner's only
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
    for name in ("atelier.db", "atelier.db-wal", "atelier.db-shm"):
        assert stat.S_IMODE((tmp_path / "var" / name).stat().st_mode) == 0o600, name


def test_check_config_masks_secrets(tmp_path: Path) -> None:
    secret = "Zr4t9Qm2Lx8Vb6Nc1Hs5Jd7Kf3Gw0Py-TuEaRoIi"
    admin = "leaky-admin-password-123"
    env = _env(
        tmp_path,
        ATELIER_JWT_SECRET=secret,
        ATELIER_PASSWORD_PEPPER=secret[::-1],
        ATELIER_ADMIN_PASSWORD=admin,  # a module section's secret (identity)
    )
    result = _run(["check-config"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "profile: embedded" in result.stdout
    assert "persistence: sqlite" in result.stdout
    for hidden in (secret, secret[::-1], admin):
        assert hidden not in result.stdout
    assert "ATELIER_JWT_SECRET = ****" in result.stdout
    assert "ATELIER_ADMIN_PASSWORD = ****" in result.stdout
    assert "ATELIER_SECTIONS" not in result.stdout  # each module variable on its own line


def test_check_config_refuses_a_weak_production_secret(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        ATELIER_PROFILE="production",
        ATELIER_JWT_SECRET="changeme",
        ATELIER_PASSWORD_PEPPER="Zr4t9Qm2Lx8Vb6Nc1Hs5Jd7Kf3Gw0Py-TuEaRoIi",
    )
    result = _run(["check-config"], env, tmp_path)
    assert result.returncode == 1
    assert "ATELIER_JWT_SECRET" in result.stderr


def test_serve_refuses_to_start_in_production_without_secrets(tmp_path: Path) -> None:
    env = _env(tmp_path, ATELIER_PROFILE="production")
    result = _run(["serve", "--port", str(free_port())], env, tmp_path)
    assert result.returncode != 0
    assert "ATELIER_JWT_SECRET" in result.stderr


def test_migrate_creates_the_embedded_database(tmp_path: Path) -> None:
    result = _run(["migrate"], _env(tmp_path / "var"), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "to head" in result.stdout
    assert (tmp_path / "var" / "atelier.db").is_file()


# -- configuration problems: all at once, one line each, never a traceback --------------------


def _problems(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


@pytest.mark.slow
def test_check_config_names_every_problem_of_production_at_once(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        ATELIER_PROFILE="production",
        ATELIER_REDIS_URL="http://cache:6379/0",
        ATELIER_S3_BUCKET="",
        ATELIER_S3_ACCESS_KEY_ID="only-the-id",
        ATELIER_PORT="not-a-port",
        ATELIER_TRUSTED_PROXIES="10.0.0.0/8,not-a-network",
    )
    result = _run(["check-config"], env, tmp_path)
    assert result.returncode == 1
    assert "configuration OK" not in result.stdout
    problems = _problems(result)
    for variable in (
        "ATELIER_PORT",
        "ATELIER_DATABASE_URL",
        "ATELIER_REDIS_URL",
        "ATELIER_S3_BUCKET",
        "ATELIER_S3_SECRET_ACCESS_KEY",
        "ATELIER_JWT_SECRET",
        "ATELIER_PASSWORD_PEPPER",
        "ATELIER_DOCUMENT_KEYS",
        "ATELIER_TRUSTED_PROXIES",
    ):
        assert [p for p in problems if variable in p], f"{variable} not named: {problems}"
    assert len(problems) == 9, problems
    assert "python3 -c" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_check_config_finds_an_unusable_sqlite_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _run(["check-config"], _env(blocker / "var"), tmp_path)
    assert result.returncode == 1
    problems = _problems(result)
    assert problems, result.stderr
    assert all("ATELIER_DATA_DIR" in p and "not a folder" in p for p in problems), problems


@pytest.mark.slow
@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["migrate"]])
def test_serve_and_migrate_print_one_line_per_problem(tmp_path: Path, command: list[str]) -> None:
    env = _env(
        tmp_path,
        ATELIER_PROFILE="production",
        ATELIER_REDIS_URL="localhost:6379",
        ATELIER_DATABASE_URL="mysql://db/atelier",
    )
    result = _run(command, env, tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    problems = _problems(result)
    assert problems
    assert len(problems) == len(result.stderr.strip().splitlines())  # nothing but the lines
    assert any("ATELIER_DATABASE_URL" in p for p in problems)
    if command[0] == "serve":  # serve checks every adapter and secret, migrate its database
        assert any("ATELIER_REDIS_URL" in p for p in problems)
        assert any("ATELIER_JWT_SECRET" in p for p in problems)
        assert any("ATELIER_PASSWORD_PEPPER" in p for p in problems)


@pytest.mark.slow
def test_migrate_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://atelier:s3cret@127.0.0.1:{free_port()}/atelier"
    result = _run(["migrate"], _env(tmp_path, ATELIER_DATABASE_URL=url), tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: cannot migrate")
    assert "s3cret" not in result.stderr


@pytest.mark.slow
def test_serve_on_a_port_in_use_stops_before_any_start_up_work(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = _run(["serve", "--port", str(port)], _env(tmp_path / "var"), tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: cannot listen on 127.0.0.1:{port}: "
        "the address is already in use (another server is running?)"
    )
    assert not (tmp_path / "var").exists()  # no secrets, no database, no migration
    assert time.monotonic() - started < 30


# -- logs ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_line_of_serve_is_json_in_one_shape(tmp_path: Path) -> None:
    """The server's start-up and shutdown lines (uvicorn's or granian's), alembic's, the
    app's, the access log and the security events: each line of stdout and stderr is one JSON
    object with the same keys."""
    port = free_port()
    process = subprocess.Popen(
        [*ATELIER, "serve", "--port", str(port)],
        env=_env(tmp_path / "var", ATELIER_LOG_JSON="true", ATELIER_LOG_LEVEL="INFO"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _get(f"{base}/health/live")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        request = urllib.request.Request(
            f"{base}/api/v1/auth/login",
            data=json.dumps({"email": "admin@atelier.localhost", "password": "wrong"}).encode(),
            headers={"content-type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=10)
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    lines = [line for line in (out + err).splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}")
    assert all(isinstance(p, dict) for p in parsed)
    for entry in parsed:
        assert {"event", "level", "logger", "timestamp"} <= set(entry), entry
    events = [p["event"] for p in parsed]
    if chosen_server() == "granian":
        assert any(str(e).startswith("Listening at") for e in events), events
        assert any(str(e).startswith("Granian shutdown completed") for e in events), events
        assert any(p.get("logger") == "_granian" for p in parsed)
    else:
        assert any(str(e).startswith("Uvicorn running on") for e in events), events
        assert any(str(e).startswith("Finished server process") for e in events), events
        assert any(p.get("logger") == "uvicorn.error" for p in parsed)
    assert "bootstrap_admin_created" in events
    failed = [p for p in parsed if p["event"] == "LoginFailed"]
    assert failed, events
    assert failed[0]["logger"] == "atelier.security"
    assert failed[0]["ip"] == "127.0.0.1"
    assert "user_id" in failed[0]
    assert "wrong" not in json.dumps(failed[0])
    requests = [p for p in parsed if p["event"] == "request"]
    assert requests
    assert {"method", "route", "status", "duration_ms"} <= set(requests[0])
