"""``SqlPlaybookRepository`` and ``SqlVariableTypeRepository``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.automation.tables import playbooks, variable_types
from adapters.persistence.sqlalchemy.queries import (
    contains_text,
    execute_guarded,
    page_and_total,
    update_if_version,
)
from adapters.persistence.sqlalchemy.repository import SqlRepository
from application.automation.ports import (
    PLAYBOOK_SORT_FIELDS,
    VARIABLE_TYPE_SORT_FIELDS,
    PlaybookFilters,
    PlaybookRepository,
    VariableTypeRepository,
)
from application.shared.pagination import Sort
from domain.automation.playbook import Playbook
from domain.automation.variable_types import VariableType, type_taken
from domain.shared.errors import PreconditionFailed

P = playbooks.c
V = variable_types.c


def _playbook(row: Any) -> Playbook:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return Playbook(
        id=r["id"],
        owner_id=r["owner_id"],
        name=r["name"],
        content=dict(r["content"]),
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        version=r["version"],
    )


def _playbook_values(p: Playbook) -> dict[str, Any]:
    return {
        "owner_id": p.owner_id,
        "name": p.name,
        "content": p.content,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def _variable_type(row: Any) -> VariableType:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return VariableType(
        id=r["id"],
        name=r["name"],
        label=r["label"],
        description=r["description"],
        pattern=r["pattern"],
        is_active=r["is_active"],
        created_by=r["created_by"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        version=r["version"],
    )


def _variable_type_values(t: VariableType) -> dict[str, Any]:
    return {
        "name": t.name,
        "label": t.label,
        "description": t.description,
        "pattern": t.pattern,
        "is_active": t.is_active,
        "created_by": t.created_by,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    }


class SqlPlaybookRepository(SqlRepository, PlaybookRepository):
    async def get(self, playbook_id: UUID) -> Playbook | None:
        row = (await self._conn.execute(sa.select(playbooks).where(P.id == playbook_id))).first()
        if row is None:
            return None
        found = _playbook(row)
        self._uow.track(found)
        return found

    async def add(self, playbook: Playbook) -> None:
        values = {"id": playbook.id, "version": playbook.version, **_playbook_values(playbook)}
        await execute_guarded(self._conn, sa.insert(playbooks).values(values))
        self._uow.track(playbook)

    async def save(self, playbook: Playbook, *, expected_version: int) -> None:
        saved = await update_if_version(
            self._conn,
            playbooks,
            playbook.id,
            expected_version=expected_version,
            new_version=playbook.version,
            values=_playbook_values(playbook),
        )
        if not saved:
            raise PreconditionFailed("The playbook was changed by someone else.")
        self._uow.track(playbook)

    async def delete(self, playbook: Playbook, *, expected_version: int) -> None:
        result = await self._conn.execute(
            sa.delete(playbooks).where(P.id == playbook.id, P.version == expected_version)
        )
        if result.rowcount != 1:
            raise PreconditionFailed("The playbook was changed by someone else.")

    async def list(
        self, filters: PlaybookFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Playbook], int]:
        if sort.field not in PLAYBOOK_SORT_FIELDS:
            raise ValueError(f"cannot sort playbooks by {sort.field!r}")
        conditions: list[sa.ColumnElement[bool]] = []
        if filters.owner_id is not None:
            conditions.append(P.owner_id == filters.owner_id)
        if filters.q is not None:
            q = " ".join(filters.q.split()).casefold()
            conditions.append(contains_text(q, P.name, dialect=self._conn.dialect.name))
        key = self._text_key(P.name) if sort.field == "name" else P[sort.field]
        rows, total = await page_and_total(
            self._conn, playbooks, conditions, key, sort, limit=limit, offset=offset
        )
        return [_playbook(row) for row in rows], total


class SqlVariableTypeRepository(SqlRepository, VariableTypeRepository):
    async def _one(self, condition: sa.ColumnElement[bool]) -> VariableType | None:
        row = (await self._conn.execute(sa.select(variable_types).where(condition))).first()
        return None if row is None else _variable_type(row)

    async def get(self, type_id: UUID) -> VariableType | None:
        found = await self._one(V.id == type_id)
        if found is not None:
            self._uow.track(found)
        return found

    async def get_by_name(self, name: str) -> VariableType | None:
        return await self._one(V.name == name)

    async def _name_taken(self, item: VariableType) -> None:
        taken = sa.select(V.id).where(V.name == item.name, V.id != item.id).limit(1)
        if (await self._conn.execute(taken)).first() is not None:
            raise type_taken(item.name)

    async def add(self, variable_type: VariableType) -> None:
        values = {
            "id": variable_type.id,
            "version": variable_type.version,
            **_variable_type_values(variable_type),
        }
        await execute_guarded(self._conn, sa.insert(variable_types).values(values))
        self._uow.track(variable_type)

    async def save(self, variable_type: VariableType, *, expected_version: int) -> None:
        await self._name_taken(variable_type)
        saved = await update_if_version(
            self._conn,
            variable_types,
            variable_type.id,
            expected_version=expected_version,
            new_version=variable_type.version,
            values=_variable_type_values(variable_type),
        )
        if not saved:
            raise PreconditionFailed("The variable type was changed by someone else.")
        self._uow.track(variable_type)

    async def delete(self, variable_type: VariableType, *, expected_version: int) -> None:
        result = await self._conn.execute(
            sa.delete(variable_types).where(V.id == variable_type.id, V.version == expected_version)
        )
        if result.rowcount != 1:
            raise PreconditionFailed("The variable type was changed by someone else.")

    async def list(
        self, *, active_only: bool, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[VariableType], int]:
        if sort.field not in VARIABLE_TYPE_SORT_FIELDS:
            raise ValueError(f"cannot sort variable types by {sort.field!r}")
        conditions: list[sa.ColumnElement[bool]] = []
        if active_only:
            conditions.append(V.is_active.is_(True))
        key = self._text_key(V[sort.field]) if sort.field in ("name", "label") else V[sort.field]
        rows, total = await page_and_total(
            self._conn, variable_types, conditions, key, sort, limit=limit, offset=offset
        )
        return [_variable_type(row) for row in rows], total

    async def all_active(self) -> Sequence[VariableType]:
        statement = sa.select(variable_types).where(V.is_active.is_(True)).order_by(V.name)
        return [_variable_type(row) for row in await self._conn.execute(statement)]
