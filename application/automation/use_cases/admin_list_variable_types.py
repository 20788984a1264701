"""GET /admin/variable-types: every custom type, active or not (administrators)."""

from __future__ import annotations

from application.automation.ports import VARIABLE_TYPE_SORT_FIELDS, AutomationUnitOfWork
from application.automation.use_cases._variable_types import admin_only
from application.automation.use_cases.list_variable_types import ListVariableTypesQuery
from application.automation.views import VariableTypeView
from application.shared.pagination import Page, PageRequest, Sort
from domain.shared.access import Action


class AdminListVariableTypes:
    def __init__(self, uow: AutomationUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: ListVariableTypesQuery) -> Page[VariableTypeView]:
        admin_only(query.actor, Action.CREATE)
        window = PageRequest.of(query.limit, query.offset)
        sort = Sort.parse(query.sort, VARIABLE_TYPE_SORT_FIELDS, default="name")
        async with self._uow as uow:
            items, total = await uow.variable_types.list(
                active_only=False, limit=window.limit, offset=window.offset, sort=sort
            )
        return Page(
            items=[VariableTypeView.of(t) for t in items],
            total=total,
            limit=window.limit,
            offset=window.offset,
        )
