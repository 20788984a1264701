"""What the administration of custom variable types shares: only administrators, the
audited fields, loading a type (404), the fields of a body."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.automation.ports import AutomationUnitOfWork
from domain.automation.variable_types import VariableType
from domain.shared.access import Action, Actor, Resource, Scope, require
from domain.shared.errors import Forbidden, NotFound

AUDITED = ("name", "label", "description", "pattern", "is_active")


def admin_only(actor: Actor, action: Action) -> None:
    if require(actor, Resource.VARIABLE_TYPES, action) is not Scope.ALL:
        raise Forbidden("Only administrators manage variable types.")


async def load_type(uow: AutomationUnitOfWork, type_id: UUID) -> VariableType:
    found = await uow.variable_types.get(type_id)
    if found is None:
        raise NotFound("No such variable type.")
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class VariableTypeFields:
    name: str
    label: str
    pattern: str
    description: str = ""
    is_active: bool = True
