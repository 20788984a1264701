"""The ``atelier`` command as an operator uses it: a real process, a fresh data folder."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

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


def test_check_config_masks_secrets(tmp_path: Path) -> None:
    secret = "Zr4t9Qm2Lx8Vb6Nc1Hs5Jd7Kf3Gw0Py-TuEaRoIi"
    env = _env(tmp_path, ATELIER_JWT_SECRET=secret, ATELIER_PASSWORD_PEPPER=secret[::-1])
    result = _run(["check-config"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "profile: embedded" in result.stdout
    assert "persistence: sqlite" in result.stdout
    assert secret not in result.stdout
    assert secret[::-1] not in result.stdout
    assert "ATELIER_JWT_SECRET = ****" in result.stdout


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
