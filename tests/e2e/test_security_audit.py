"""Security events reach the audit trail (GET /audit) with the client address, never secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.persistence.sqlalchemy.migrations import upgrade
from entrypoints.bootstrap.container import start
from entrypoints.cli.identity import create_admin_account
from entrypoints.http.app import create_app
from tests.e2e.conftest import make_container
from tests.support.live_server import http_client

PASSWORD = "Correct-Horse-Battery-9"


async def test_logins_and_failures_are_audited(tmp_path: Path) -> None:
    container = make_container(
        tmp_path, persistence="sqlite", bcrypt_rounds=4, rate_limit_enabled=False
    )
    upgrade(container.settings().effective_database_url)
    await start(container)
    await create_admin_account(container, "boss@example.org", PASSWORD, "Ada", "Boss")
    async with http_client(create_app(container)) as client:
        bad = await client.post(
            "/api/v1/auth/login", json={"email": "boss@example.org", "password": "wrong-" * 3}
        )
        assert bad.status_code == 401
        good = await client.post(
            "/api/v1/auth/login", json={"email": "boss@example.org", "password": PASSWORD}
        )
        assert good.status_code == 200
        token = good.json()["access_token"]
        page = await client.get(
            "/api/v1/audit",
            params={"entity_type": "user"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert page.status_code == 200, page.text
    entries: list[dict[str, Any]] = page.json()["items"]
    actions = [entry["action"] for entry in entries]
    assert "LoginSucceeded" in actions
    assert "LoginFailed" in actions
    assert PASSWORD not in page.text
    assert token not in page.text
    assert all("client_ip" in entry["changes"] for entry in entries)
