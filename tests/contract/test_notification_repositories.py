"""Contract of the notifications repository and unit of work: memory, SQLite, PostgreSQL.

Each test makes its own users, so the shared PostgreSQL database never mixes tests."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from adapters.persistence.memory.identity import MemoryIdentityUnitOfWork
from adapters.persistence.memory.notifications import MemoryNotificationsUnitOfWork
from adapters.persistence.memory.store import MemoryStore
from adapters.persistence.sqlalchemy.notifications import SqlNotificationsUnitOfWork
from application.notifications.ports import NotificationFilters, NotificationsUnitOfWork
from domain.identity.user import User
from domain.notifications.notification import Draft, Level, Notification
from domain.shared.access import Role
from domain.shared.errors import DuplicateValue, UnknownReference
from tests.contract.test_maintenance_repositories import insert_user
from tests.support.databases import migrated_database

NOW = datetime(2026, 3, 12, 12, 0, 0, 123456, tzinfo=UTC)


@dataclasses.dataclass
class Backend:
    name: str
    uow: Callable[[], NotificationsUnitOfWork]
    new_user: Callable[[], Awaitable[UUID]]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "memory":
        store = MemoryStore()

        async def memory_user() -> UUID:
            user = User.register(
                email=f"u.{uuid.uuid4().hex}@example.test",
                first_name="Test",
                last_name="User",
                role=Role.TECHNICIAN,
                password_hash="x",
                now=NOW,
            )
            async with MemoryIdentityUnitOfWork(store) as uow:
                await uow.users.add(user)
                await uow.commit()
            return user.id

        yield Backend("memory", lambda: MemoryNotificationsUnitOfWork(store), memory_user)
        return
    async with migrated_database(request, tmp_path, "notifications") as database:

        async def sql_user() -> UUID:
            return await insert_user(database, role=Role.TECHNICIAN)

        yield Backend(request.param, lambda: SqlNotificationsUnitOfWork(database), sql_user)


def note(
    user_id: UUID,
    title: str = "Hello",
    *,
    level: Level = Level.INFO,
    at: datetime = NOW,
    source: UUID | None = None,
) -> Notification:
    draft = Draft(user_id=user_id, title=title, message=f"{title}!", level=level, data={"k": [1]})
    return Notification.from_draft(draft, now=at, source_event_id=source)


async def add(backend: Backend, *items: Notification) -> None:
    async with backend.uow() as uow:
        await uow.notifications.add_many(list(items))
        await uow.commit()


async def test_round_trip_and_pages(backend: Backend) -> None:
    user, other = await backend.new_user(), await backend.new_user()
    items = [note(user, f"n{i}", at=NOW + timedelta(seconds=i)) for i in range(5)]
    await add(backend, *items, note(other, "theirs"))
    async with backend.uow() as uow:
        got = await uow.notifications.get(items[0].id)
        assert got == items[0]
        newest, total = await uow.notifications.list(
            NotificationFilters(user_id=user), limit=2, offset=0, newest_first=True
        )
        assert total == 5
        assert [n.title for n in newest] == ["n4", "n3"]
        oldest, _ = await uow.notifications.list(
            NotificationFilters(user_id=user), limit=10, offset=1, newest_first=False
        )
        assert [n.title for n in oldest] == ["n1", "n2", "n3", "n4"]
        after, total = await uow.notifications.list(
            NotificationFilters(user_id=user, after=items[2].id),
            limit=10,
            offset=0,
            newest_first=False,
        )
        assert ([n.title for n in after], total) == (["n3", "n4"], 2)
        assert await uow.notifications.unread_count(user) == 5
        assert await uow.notifications.get(uuid.uuid4()) is None


async def test_reading(backend: Backend) -> None:
    user, other = await backend.new_user(), await backend.new_user()
    first, second, third = note(user, "a"), note(user, "b"), note(user, "c")
    await add(backend, first, second, third)
    later = NOW + timedelta(minutes=5)
    async with backend.uow() as uow:
        assert await uow.notifications.mark_read(user, first.id, later) is True
        assert await uow.notifications.mark_read(other, second.id, later) is False
        assert await uow.notifications.mark_read(user, uuid.uuid4(), later) is False
        await uow.commit()
    async with backend.uow() as uow:
        assert await uow.notifications.mark_read(user, first.id, later + timedelta(1)) is True
        await uow.commit()
    async with backend.uow() as uow:
        stored = await uow.notifications.get(first.id)
        assert stored is not None
        assert stored.read_at == later  # reading twice keeps the first time
        unread, total = await uow.notifications.list(
            NotificationFilters(user_id=user, unread=True), limit=10, offset=0, newest_first=True
        )
        assert total == 2
        assert {n.id for n in unread} == {second.id, third.id}
        read, total = await uow.notifications.list(
            NotificationFilters(user_id=user, unread=False), limit=10, offset=0, newest_first=True
        )
        assert [n.id for n in read] == [first.id]
        assert await uow.notifications.mark_all_read(user, later) == 2
        await uow.commit()
    async with backend.uow() as uow:
        assert await uow.notifications.unread_count(user) == 0
        assert await uow.notifications.mark_all_read(user, later) == 0


async def test_rollback_keeps_nothing(backend: Backend) -> None:
    user = await backend.new_user()
    item = note(user)
    async with backend.uow() as uow:
        await uow.notifications.add_many([item])
    async with backend.uow() as uow:
        assert await uow.notifications.get(item.id) is None


async def test_unknown_user_and_second_notification_of_one_event(backend: Backend) -> None:
    with pytest.raises(UnknownReference) as caught:
        await add(backend, note(uuid.uuid4()))
    assert caught.value.errors[0].field == "user_id"
    user, other = await backend.new_user(), await backend.new_user()
    source = uuid.uuid4()
    await add(backend, note(user, source=source), note(other, source=source))
    with pytest.raises(DuplicateValue):
        await add(backend, note(user, "again", source=source))
