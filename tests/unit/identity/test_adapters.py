"""The mail adapters and the memory repositories' atomic operations."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from adapters.mail.console import ConsoleMailer
from adapters.mail.memory import MemoryMailer
from adapters.mail.smtp import SmtpMailer, SmtpSettings
from adapters.persistence.memory.identity import MemoryIdentityUnitOfWork
from adapters.persistence.memory.store import MemoryStore
from application.identity.ports import EmailMessage
from domain.identity.sessions import RefreshFamily, RefreshToken
from domain.identity.user import User
from domain.shared.access import Role
from domain.shared.errors import DependencyUnavailable, PreconditionFailed, UnknownReference
from tests.unit.identity.conftest import Kit

NOW = datetime(2026, 3, 1, tzinfo=UTC)
MESSAGE = EmailMessage(to="a@example.org", subject="Hello", text="Body text", html="<p>Body</p>")


async def test_memory_mailer_keeps_messages() -> None:
    mailer = MemoryMailer()
    await mailer.send(MESSAGE)
    assert mailer.sent == [MESSAGE]


async def test_console_mailer_logs(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="atelier.mail"):
        await ConsoleMailer().send(MESSAGE)
    assert "a@example.org" in caplog.text
    assert "Body text" in caplog.text


def test_smtp_message_building() -> None:
    mailer = SmtpMailer(SmtpSettings(host="localhost", sender="Atelier <no-reply@example.org>"))
    mime = mailer._build(MESSAGE)
    assert mime["To"] == "a@example.org"
    assert mime["From"].startswith("Atelier")
    assert mime.is_multipart()


async def test_smtp_unreachable_server_is_dependency_unavailable() -> None:
    mailer = SmtpMailer(
        SmtpSettings(host="127.0.0.1", port=1, sender="x@example.org", timeout_seconds=1)
    )
    with pytest.raises(DependencyUnavailable):
        await mailer.send(MESSAGE)


def _user(email: str = "owner@example.org") -> User:
    return User.register(
        email=email, first_name="A", last_name="B", role=Role.CLIENT, password_hash="x", now=NOW
    )


async def test_memory_tokens_refuse_unknown_users_and_families_like_sql() -> None:
    store = MemoryStore()
    orphan = RefreshFamily.start(uuid.uuid4(), NOW, 3600)
    async with MemoryIdentityUnitOfWork(store) as uow:
        with pytest.raises(UnknownReference) as caught:
            await uow.refresh_tokens.add_family(orphan)
        assert caught.value.errors[0].field == "user_id"
        user = _user()
        await uow.users.add(user)
        family = RefreshFamily.start(user.id, NOW, 3600)
        stray = RefreshToken.issue(RefreshFamily.start(user.id, NOW, 3600), "h", NOW, 3600)
        await uow.refresh_tokens.add_family(family)
        with pytest.raises(UnknownReference) as caught:
            await uow.refresh_tokens.add_token(stray)  # its family was never stored
        assert caught.value.errors[0].field == "family_id"


async def test_consume_marks_used_once_and_rollback_undoes_it() -> None:
    store = MemoryStore()
    user = _user()
    family = RefreshFamily.start(user.id, NOW, 3600)
    token = RefreshToken.issue(family, "hash-1", NOW, 3600)
    async with MemoryIdentityUnitOfWork(store) as uow:
        await uow.users.add(user)
        await uow.refresh_tokens.add_family(family)
        await uow.refresh_tokens.add_token(token)
        await uow.commit()
    async with MemoryIdentityUnitOfWork(store) as uow:
        assert await uow.refresh_tokens.consume("hash-1", NOW) is not None
        # no commit: rolled back
    async with MemoryIdentityUnitOfWork(store) as uow:
        used = await uow.refresh_tokens.consume("hash-1", NOW + timedelta(seconds=1))
        assert used is not None
        assert used.used_at == NOW + timedelta(seconds=1)
        assert await uow.refresh_tokens.consume("hash-1", NOW) is None
        assert await uow.refresh_tokens.consume("unknown", NOW) is None
        await uow.commit()
    async with MemoryIdentityUnitOfWork(store) as uow:
        stored = await uow.refresh_tokens.get_token("hash-1")
        assert stored is not None
        assert stored.is_used
        revoked = await uow.refresh_tokens.revoke_all_for_user(family.user_id, NOW)
        assert revoked == [family.id]
        assert await uow.refresh_tokens.revoke_all_for_user(family.user_id, NOW) == []


async def test_save_refuses_a_concurrent_change(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    first, second = await kit.stored_user("a@example.org"), await kit.stored_user("a@example.org")
    async with kit.uow() as uow:
        first.rename(NOW, first_name="One", last_name=None)
        await uow.users.save(first)
        await uow.commit()
    async with kit.uow() as uow:
        second.rename(NOW, first_name="Two", last_name=None)
        with pytest.raises(PreconditionFailed):
            await uow.users.save(second)
    assert (await kit.stored_user("a@example.org")).first_name == "One"
