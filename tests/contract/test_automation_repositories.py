"""Contract of the automation repositories and unit of work: memory, SQLite and PostgreSQL.

The PostgreSQL database is shared by the session: each test makes its own owners and
unique names and only looks at those.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from adapters.persistence.memory.automation import MemoryAutomationUnitOfWork
from adapters.persistence.memory.store import MemoryStore
from adapters.persistence.sqlalchemy.automation import SqlAutomationUnitOfWork
from application.automation.ports import AutomationUnitOfWork, PlaybookFilters
from application.shared.pagination import Sort
from domain.automation.playbook import Playbook
from domain.automation.variable_types import EXAMPLES, VariableType
from domain.shared.access import Role
from domain.shared.errors import DuplicateValue, PreconditionFailed, UnknownReference
from tests.contract.test_maintenance_repositories import insert_user
from tests.support.databases import migrated_database

NOW = datetime(2026, 11, 28, 9, 0, 0, 123456, tzinfo=UTC)


@dataclasses.dataclass
class Backend:
    name: str
    uow: Callable[[], AutomationUnitOfWork]
    new_user: Callable[[], Awaitable[UUID]]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "memory":
        store = MemoryStore()

        async def memory_user() -> UUID:
            user_id = uuid.uuid4()
            store.tables.setdefault("users", {})[user_id] = object()
            return user_id

        yield Backend("memory", lambda: MemoryAutomationUnitOfWork(store), memory_user)
        return
    async with migrated_database(request, tmp_path, "automation") as database:

        async def sql_user() -> UUID:
            return await insert_user(database, role=Role.CLIENT)

        yield Backend(request.param, lambda: SqlAutomationUnitOfWork(database), sql_user)


def _playbook(owner: UUID, name: str, content: dict[str, object] | None = None) -> Playbook:
    return Playbook.create(owner_id=owner, name=name, content=content or {}, now=NOW)


async def test_playbook_round_trip_keeps_content_and_key_order(backend: Backend) -> None:
    owner = await backend.new_user()
    content = {"zeta": 1, "alpha": {"y": [1, "two", None, True, 2.5], "b": {}}, "é": "東京"}
    made = _playbook(owner, "Round trip", content)
    async with backend.uow() as uow:
        await uow.playbooks.add(made)
        await uow.commit()
    async with backend.uow() as uow:
        loaded = await uow.playbooks.get(made.id)
    assert loaded is not None
    assert loaded.content == content
    assert list(loaded.content) == ["zeta", "alpha", "é"]
    assert list(loaded.content["alpha"]) == ["y", "b"]  # type: ignore[call-overload]
    assert (loaded.name, loaded.owner_id, loaded.version) == ("Round trip", owner, 1)
    assert loaded.created_at == NOW


async def test_playbook_versions_and_delete(backend: Backend) -> None:
    owner = await backend.new_user()
    made = _playbook(owner, "v")
    async with backend.uow() as uow:
        await uow.playbooks.add(made)
        await uow.commit()
    async with backend.uow() as uow:
        first = await uow.playbooks.get(made.id)
        assert first is not None
        first.change(NOW + timedelta(minutes=1), name="v2")
        await uow.playbooks.save(first, expected_version=1)
        await uow.commit()
    async with backend.uow() as uow:
        stale = await uow.playbooks.get(made.id)
        assert stale is not None
        stale.change(NOW, name="v3")
        with pytest.raises(PreconditionFailed):
            await uow.playbooks.save(stale, expected_version=1)
    async with backend.uow() as uow:
        current = await uow.playbooks.get(made.id)
        assert current is not None
        assert current.name == "v2"
        with pytest.raises(PreconditionFailed):
            await uow.playbooks.delete(current, expected_version=1)
    async with backend.uow() as uow:
        current = await uow.playbooks.get(made.id)
        assert current is not None
        await uow.playbooks.delete(current, expected_version=2)
        await uow.commit()
    async with backend.uow() as uow:
        assert await uow.playbooks.get(made.id) is None


async def test_playbook_owner_must_exist(backend: Backend) -> None:
    async def add_orphan() -> None:
        async with backend.uow() as uow:
            await uow.playbooks.add(_playbook(uuid.uuid4(), "orphan"))
            await uow.commit()

    with pytest.raises(UnknownReference) as unknown:
        await add_orphan()
    assert unknown.value.field == "owner_id"


async def test_playbook_list_filters_sorts_and_pages(backend: Backend) -> None:
    owner, other = await backend.new_user(), await backend.new_user()
    tag = uuid.uuid4().hex[:8]
    names = [f"Étape {tag} b", f"alpha {tag}", f"Zulu {tag}", "unrelated"]
    async with backend.uow() as uow:
        for i, name in enumerate(names):
            playbook = _playbook(owner, name)
            playbook.updated_at = NOW + timedelta(minutes=i)
            await uow.playbooks.add(playbook)
        await uow.playbooks.add(_playbook(other, f"alpha {tag} theirs"))
        await uow.commit()
    async with backend.uow() as uow:
        mine, total = await uow.playbooks.list(
            PlaybookFilters(owner_id=owner, q=tag.upper()), limit=50, offset=0, sort=Sort("name")
        )
        assert [p.name for p in mine] == [f"alpha {tag}", f"Zulu {tag}", f"Étape {tag} b"]
        assert total == 3
        accented, _ = await uow.playbooks.list(
            PlaybookFilters(owner_id=owner, q="étape"), limit=50, offset=0, sort=Sort("name")
        )
        assert [p.name for p in accented] == [f"Étape {tag} b"]
        newest, total = await uow.playbooks.list(
            PlaybookFilters(owner_id=owner),
            limit=2,
            offset=1,
            sort=Sort("updated_at", descending=True),
        )
        assert [p.name for p in newest] == [f"Zulu {tag}", f"alpha {tag}"]
        assert total == 4
        _everyone, total = await uow.playbooks.list(
            PlaybookFilters(q=f"alpha {tag}"), limit=50, offset=0, sort=Sort("name")
        )
        assert total == 2


async def test_variable_types_unique_names_and_lists(backend: Backend) -> None:
    admin = await backend.new_user()
    name = f"t_{uuid.uuid4().hex[:10]}"
    made = VariableType.create(name=name, label="T", pattern="a+", now=NOW, created_by=admin)
    async with backend.uow() as uow:
        await uow.variable_types.add(made)
        await uow.commit()

    async def add_again() -> None:
        async with backend.uow() as uow:
            again = VariableType.create(name=name, label="Again", pattern="b", now=NOW)
            await uow.variable_types.add(again)
            await uow.commit()

    with pytest.raises(DuplicateValue) as taken:
        await add_again()
    assert taken.value.code == "variable_type_taken"
    assert taken.value.fields == ("name",)
    other = VariableType.create(name=f"{name}_2", label="T2", pattern="b", now=NOW)
    async with backend.uow() as uow:
        await uow.variable_types.add(other)
        await uow.commit()
    async with backend.uow() as uow:
        loaded = await uow.variable_types.get(other.id)
        assert loaded is not None
        loaded.replace(NOW, name=name, label="T2", description="", pattern="b", is_active=False)
        with pytest.raises(DuplicateValue):
            await uow.variable_types.save(loaded, expected_version=1)
    async with backend.uow() as uow:
        loaded = await uow.variable_types.get(other.id)
        assert loaded is not None
        loaded.replace(
            NOW, name=loaded.name, label="T2", description="d", pattern="b", is_active=False
        )
        await uow.variable_types.save(loaded, expected_version=1)
        await uow.commit()
    async with backend.uow() as uow:
        by_name = await uow.variable_types.get_by_name(name)
        assert by_name is not None
        assert by_name.created_by == admin
        active = [t.name for t in await uow.variable_types.all_active()]
        assert name in active
        assert other.name not in active
        listed, total = await uow.variable_types.list(
            active_only=False, limit=500, offset=0, sort=Sort("name")
        )
        assert {name, other.name} <= {t.name for t in listed}
        assert total >= 2
        stored = await uow.variable_types.get(other.id)
        assert stored is not None
        assert stored.version == 2
        await uow.variable_types.delete(stored, expected_version=2)
        await uow.commit()
    async with backend.uow() as uow:
        assert await uow.variable_types.get(other.id) is None


# the memory profile installs them at start-up instead (InstallExamples)
@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_sql_migration_installs_the_examples(backend: Backend) -> None:
    async with backend.uow() as uow:
        for example in EXAMPLES:
            found = await uow.variable_types.get_by_name(example.name)
            assert found is not None
            assert found.pattern == example.pattern
            assert found.id == example.id
