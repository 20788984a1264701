"""GET /variable-types: the builtins, then the active custom types by name."""

from __future__ import annotations

from dataclasses import dataclass

from application.automation.ports import AutomationUnitOfWork
from application.automation.views import VariableTypeView
from application.shared.pagination import MAX_LIMIT, Page, PageRequest
from domain.automation.variable_types import BUILTINS
from domain.shared.access import Action, Actor, Resource, require


@dataclass(frozen=True, slots=True, kw_only=True)
class ListVariableTypesQuery:
    actor: Actor
    limit: int | None = None
    offset: int | None = None
    sort: str | None = None


class ListVariableTypes:
    """The catalogue every user sees."""

    def __init__(self, uow: AutomationUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: ListVariableTypesQuery) -> Page[VariableTypeView]:
        require(query.actor, Resource.VARIABLE_TYPES, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        async with self._uow as uow:
            custom = await uow.variable_types.all_active()
        every = [VariableTypeView.of_builtin(b) for b in BUILTINS]
        every.extend(VariableTypeView.of(t) for t in custom[: 10 * MAX_LIMIT])
        return Page(
            items=every[window.offset : window.offset + window.limit],
            total=len(every),
            limit=window.limit,
            offset=window.offset,
        )
