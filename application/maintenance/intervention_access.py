"""The ``InterventionAccess`` port maintenance publishes (``maintenance.intervention_access``):
other modules (documents) ask whether an intervention or equipment exists and whether an
actor may read it, by the same rules as maintenance's own routes (``guards.py``)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from application.contracts.maintenance import InterventionAccess, InterventionRef
from application.maintenance.guards import owns_equipment
from application.maintenance.ports import InterventionFilters, MaintenanceUnitOfWork
from application.shared.pagination import Sort
from domain.shared.access import Action, Actor, Resource, Scope, allowed

_PAGE = 200


class MaintenanceInterventionAccess(InterventionAccess):
    def __init__(self, uow_factory: Callable[[], MaintenanceUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def intervention(self, intervention_id: UUID) -> InterventionRef | None:
        async with self._uow_factory() as uow:
            found = await uow.interventions.get_many([intervention_id])
        item = found.get(intervention_id)
        if item is None:
            return None
        return InterventionRef(id=item.id, equipment_id=item.equipment_id, title=item.title)

    async def readable_intervention(
        self, actor: Actor, intervention_id: UUID
    ) -> InterventionRef | None:
        scope = allowed(actor, Resource.INTERVENTIONS, Action.READ)
        if scope is Scope.NONE:
            return None
        async with self._uow_factory() as uow:
            item = (await uow.interventions.get_many([intervention_id])).get(intervention_id)
            if item is None:
                return None
            if scope is not Scope.ALL:
                equipment = (await uow.equipment.get_many([item.equipment_id])).get(
                    item.equipment_id
                )
                if equipment is None or not owns_equipment(actor, equipment):
                    return None
        return InterventionRef(id=item.id, equipment_id=item.equipment_id, title=item.title)

    async def readable_equipment(self, actor: Actor, equipment_id: UUID) -> bool:
        scope = allowed(actor, Resource.EQUIPMENT, Action.READ)
        if scope is Scope.NONE:
            return False
        async with self._uow_factory() as uow:
            equipment = (await uow.equipment.get_many([equipment_id])).get(equipment_id)
        if equipment is None:
            return False
        return scope is Scope.ALL or owns_equipment(actor, equipment)

    async def readable_interventions(self, actor: Actor) -> frozenset[UUID] | None:
        scope = allowed(actor, Resource.INTERVENTIONS, Action.READ)
        if scope is Scope.ALL:
            return None
        if scope is Scope.NONE:
            return frozenset()
        found: set[UUID] = set()
        offset = 0
        async with self._uow_factory() as uow:
            while True:
                items, total = await uow.interventions.list(
                    InterventionFilters(equipment_owner_id=actor.user_id),
                    limit=_PAGE,
                    offset=offset,
                    sort=Sort("created_at"),
                )
                found.update(item.id for item in items)
                offset += _PAGE
                if offset >= total or not items:
                    break
        return frozenset(found)
