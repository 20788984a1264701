"""In-memory automation repositories and unit of work (the twins of the SQL ones)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from adapters.persistence import constraints
from adapters.persistence.memory.store import (
    MemoryStore,
    MemoryUnitOfWork,
    Reference,
    check_references,
    snapshot,
)
from application.automation.ports import (
    AutomationUnitOfWork,
    PlaybookFilters,
    PlaybookRepository,
    VariableTypeRepository,
)
from application.shared.events import EventPublisher
from application.shared.pagination import Sort
from application.shared.uow import OutboxSignal
from domain.automation.playbook import Playbook
from domain.automation.variable_types import VariableType, type_taken
from domain.shared.aggregate import Aggregate
from domain.shared.errors import PreconditionFailed

PLAYBOOKS, VARIABLE_TYPES, USERS = "auto_playbooks", "auto_variable_types", "users"
PLAYBOOK_REFERENCES = (Reference("owner_id", "users", USERS),)
VARIABLE_TYPE_REFERENCES = (Reference("created_by", "users", USERS),)


def _fold(text: str | None) -> str | None:
    return None if text is None else " ".join(text.split()).casefold()


def _page(rows: list[Any], *, limit: int, offset: int, sort: Sort) -> tuple[list[Any], int]:
    rows.sort(key=lambda r: r.id.int)

    def key(r: Any) -> Any:
        value = getattr(r, sort.field)
        return value.casefold() if isinstance(value, str) else value

    rows.sort(key=key, reverse=sort.descending)
    return [snapshot(r) for r in rows[offset : offset + limit]], len(rows)


class _Table:
    label = "item"
    sql_table = ""
    references: tuple[Reference, ...] = ()

    def __init__(self, uow: MemoryUnitOfWork, table: str) -> None:
        self._uow = uow
        self._rows: dict[UUID, Any] = uow.table(table)

    def _get(self, item_id: UUID) -> Any:
        item = self._rows.get(item_id)
        if item is None:
            return None
        copy = snapshot(item)
        self._uow.track(copy)
        return copy

    def _store(self, item: Aggregate) -> None:
        stored = snapshot(item)
        stored.pull_events()
        self._rows[item.id] = stored
        self._uow.track(item)

    def _insert(self, item: Aggregate) -> None:
        if item.id in self._rows:
            raise constraints.duplicate(self.sql_table, ["id"], f"pk_{self.sql_table}")
        check_references(self._uow, self.sql_table, item, self.references)
        self._store(item)

    def _check_version(self, item: Aggregate, expected_version: int) -> None:
        stored = self._rows.get(item.id)
        if stored is None or stored.version != expected_version:
            raise PreconditionFailed(f"The {self.label} was changed by someone else.")

    def _update(self, item: Aggregate, expected_version: int) -> None:
        self._check_version(item, expected_version)
        check_references(self._uow, self.sql_table, item, self.references)
        self._store(item)

    def _delete(self, item: Aggregate, expected_version: int) -> None:
        self._check_version(item, expected_version)
        del self._rows[item.id]


class MemoryPlaybookRepository(_Table, PlaybookRepository):
    label = "playbook"
    sql_table = "playbooks"
    references = PLAYBOOK_REFERENCES

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        super().__init__(uow, PLAYBOOKS)

    async def get(self, playbook_id: UUID) -> Playbook | None:
        return self._get(playbook_id)  # type: ignore[no-any-return]

    async def add(self, playbook: Playbook) -> None:
        self._insert(playbook)

    async def save(self, playbook: Playbook, *, expected_version: int) -> None:
        self._update(playbook, expected_version)

    async def delete(self, playbook: Playbook, *, expected_version: int) -> None:
        self._delete(playbook, expected_version)

    async def list(
        self, filters: PlaybookFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Playbook], int]:
        q = _fold(filters.q)
        rows = [
            p
            for p in self._rows.values()
            if (filters.owner_id is None or p.owner_id == filters.owner_id)
            and (q is None or q in (_fold(p.name) or ""))
        ]
        return _page(rows, limit=limit, offset=offset, sort=sort)


class MemoryVariableTypeRepository(_Table, VariableTypeRepository):
    label = "variable type"
    sql_table = "variable_types"
    references = VARIABLE_TYPE_REFERENCES

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        super().__init__(uow, VARIABLE_TYPES)

    def _check_name(self, item: VariableType) -> None:
        if any(t.name == item.name and t.id != item.id for t in self._rows.values()):
            raise type_taken(item.name)

    async def get(self, type_id: UUID) -> VariableType | None:
        return self._get(type_id)  # type: ignore[no-any-return]

    async def get_by_name(self, name: str) -> VariableType | None:
        for t in self._rows.values():
            if t.name == name:
                return snapshot(t)  # type: ignore[no-any-return]
        return None

    async def add(self, variable_type: VariableType) -> None:
        self._check_name(variable_type)
        self._insert(variable_type)

    async def save(self, variable_type: VariableType, *, expected_version: int) -> None:
        self._check_name(variable_type)
        self._update(variable_type, expected_version)

    async def delete(self, variable_type: VariableType, *, expected_version: int) -> None:
        self._delete(variable_type, expected_version)

    async def list(
        self, *, active_only: bool, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[VariableType], int]:
        rows = [t for t in self._rows.values() if t.is_active or not active_only]
        return _page(rows, limit=limit, offset=offset, sort=sort)

    async def all_active(self) -> Sequence[VariableType]:
        rows = sorted((t for t in self._rows.values() if t.is_active), key=lambda t: t.name)
        return [snapshot(t) for t in rows]


class MemoryAutomationUnitOfWork(MemoryUnitOfWork, AutomationUnitOfWork):
    playbooks: MemoryPlaybookRepository
    variable_types: MemoryVariableTypeRepository

    def __init__(
        self,
        store: MemoryStore,
        publisher: EventPublisher | None = None,
        *,
        outbox_signal: OutboxSignal | None = None,
    ) -> None:
        super().__init__(store, publisher, outbox_signal=outbox_signal)

    def _open_repositories(self) -> None:
        self.playbooks = MemoryPlaybookRepository(self)
        self.variable_types = MemoryVariableTypeRepository(self)
