"""GET /admin/variable-types/{id} (administrators)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.automation.ports import AutomationUnitOfWork
from application.automation.use_cases._variable_types import admin_only, load_type
from application.automation.views import VariableTypeView
from domain.shared.access import Action, Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class GetVariableTypeQuery:
    actor: Actor
    type_id: UUID


class GetVariableType:
    def __init__(self, uow: AutomationUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: GetVariableTypeQuery) -> VariableTypeView:
        admin_only(query.actor, Action.UPDATE)
        async with self._uow as uow:
            return VariableTypeView.of(await load_type(uow, query.type_id))
