"""Security events without secrets; the bootstrap administrator of the embedded profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dependency_injector import providers

from adapters.persistence.memory.identity import MemorySecurityLog
from application.identity.ports import UserFilters
from application.identity.use_cases.list_users import ListUsersQuery
from domain.shared.access import Role
from entrypoints.bootstrap.container import build_container, shutdown, start
from entrypoints.cli.identity import ensure_bootstrap_admin
from tests.e2e.identity.support import PASSWORD, SYSTEM, Api, make_settings, migrate


async def test_auth_events_reach_the_security_log_without_secrets(api: Api) -> None:
    log = MemorySecurityLog()
    api.container.identity.security_log.override(providers.Object(log))
    _, email = await api.create_user(Role.CLIENT)
    assert (await api.login(email, "a-wrong-password-1")).status_code == 401
    ok = await api.login(email)
    assert ok.status_code == 200
    pair = ok.json()
    names = log.names()
    assert "LoginFailed" in names
    assert "LoginSucceeded" in names
    dump = repr(log.entries)
    for secret in (PASSWORD, "a-wrong-password-1", pair["access_token"], pair["refresh_token"]):
        assert secret not in dump
    assert all(entry.ip == "203.0.113.10" for entry in log.entries)


def test_bootstrap_admin_is_created_once_with_a_printed_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings("embedded", tmp_path)
    migrate(settings)
    ensure_bootstrap_admin(settings)
    printed = json.loads(capsys.readouterr().out)  # ATELIER_LOG_JSON: one JSON line
    assert printed["event"] == "bootstrap_admin_created"
    assert printed["email"] == "admin@atelier.localhost"
    password = printed["password"]
    assert len(password) >= 20
    ensure_bootstrap_admin(settings)
    assert capsys.readouterr().out == ""  # an admin exists: nothing created, nothing printed

    async def check() -> None:
        from application.identity.use_cases.login import LoginCommand

        container = build_container(settings)

        await start(container)
        try:
            page = await container.identity.list_users()(
                ListUsersQuery(actor=SYSTEM, filters=UserFilters(role=Role.ADMIN))
            )
            assert page.total == 1
            pair = await container.identity.login()(
                LoginCommand(email="admin@atelier.localhost", password=password)
            )
            assert pair.user.role is Role.ADMIN
        finally:
            await shutdown(container)

    import asyncio

    asyncio.run(check())


def test_bootstrap_admin_uses_configured_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(
        "embedded", tmp_path, admin_email="boss@example.com", admin_password=PASSWORD
    )
    migrate(settings)
    ensure_bootstrap_admin(settings)
    out = capsys.readouterr().out
    assert "boss@example.com" in out
    assert PASSWORD not in out


def test_bootstrap_admin_as_text_without_json_logs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings("embedded", tmp_path, log_json=False)
    migrate(settings)
    ensure_bootstrap_admin(settings)
    printed = capsys.readouterr().out
    assert "admin@atelier.localhost" in printed
    assert len(printed.split("with the password ", 1)[1].split()[0]) >= 20
