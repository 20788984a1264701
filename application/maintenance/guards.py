"""Loading rows with the visibility rules of the access matrix applied.

Hidden rows are ``NotFound``; visible rows on which the action is not allowed are
``Forbidden``. Decisions come from ``domain.shared.access`` only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from application.maintenance.ports import MaintenanceUnitOfWork
from application.maintenance.views import InterventionView
from domain.maintenance.equipment import Equipment
from domain.maintenance.intervention import Intervention
from domain.maintenance.technician import Technician
from domain.maintenance.validation import Checker
from domain.shared.access import Action, Actor, Resource, Scope, allowed, authorize
from domain.shared.errors import Forbidden, NotFound


def owns_equipment(actor: Actor, equipment: Equipment) -> bool:
    return equipment.owner_id is not None and equipment.owner_id == actor.user_id


async def load_technician(
    uow: MaintenanceUnitOfWork, actor: Actor, technician_id: UUID, action: Action = Action.READ
) -> Technician:
    technician = await uow.technicians.get(technician_id)
    if technician is None:
        raise NotFound("No such technician.")
    authorize(actor, Resource.TECHNICIANS, action, owns=technician.user_id == actor.user_id)
    return technician


async def load_equipment(
    uow: MaintenanceUnitOfWork, actor: Actor, equipment_id: UUID, action: Action = Action.READ
) -> Equipment:
    equipment = await uow.equipment.get(equipment_id)
    if equipment is None:
        raise NotFound("No such equipment.")
    authorize(actor, Resource.EQUIPMENT, action, owns=owns_equipment(actor, equipment))
    return equipment


async def load_intervention(
    uow: MaintenanceUnitOfWork,
    actor: Actor,
    intervention_id: UUID,
    action: Action = Action.READ,
) -> tuple[Intervention, Equipment]:
    """The intervention and its equipment, after checking ``action``.

    "Own" means: on equipment the actor owns (read, create, cancel), or assigned to the
    actor's technician profile (start, complete, report).
    """
    found = await uow.interventions.get_with_equipment(intervention_id)
    if found is None:
        raise NotFound("No such intervention.")
    intervention, equipment = found
    owner = owns_equipment(actor, equipment)
    if not allowed(actor, Resource.INTERVENTIONS, Action.READ).permits(owns=owner):
        raise NotFound("No such intervention.")
    if action is not Action.READ:
        if action in (Action.START, Action.COMPLETE, Action.REPORT):
            mine = await is_assigned_to(uow, actor, intervention)
        else:
            mine = owner
        if not allowed(actor, Resource.INTERVENTIONS, action).permits(owns=mine):
            raise Forbidden(f"You may not {action.value} this intervention.")
    return intervention, equipment


async def load_visible_intervention(
    uow: MaintenanceUnitOfWork, actor: Actor, intervention_id: UUID
) -> Intervention:
    """The intervention if ``actor`` may read it (``NotFound`` otherwise). Its equipment is
    only fetched when visibility depends on who owns it (one query for staff)."""
    scope = allowed(actor, Resource.INTERVENTIONS, Action.READ)
    if scope is not Scope.ALL:
        owned, _ = await load_intervention(uow, actor, intervention_id)
        return owned
    found = await uow.interventions.get(intervention_id)
    if found is None:
        raise NotFound("No such intervention.")
    return found


async def view_visible_intervention(
    uow: MaintenanceUnitOfWork, actor: Actor, intervention_id: UUID, now: datetime
) -> InterventionView:
    """The read model of an intervention ``actor`` may read (``NotFound`` otherwise): staff
    get it in one query with no aggregate built."""
    if allowed(actor, Resource.INTERVENTIONS, Action.READ) is not Scope.ALL:
        owned, _ = await load_intervention(uow, actor, intervention_id)
        return InterventionView.of(owned, now)
    found = await uow.interventions.view(intervention_id, now)
    if found is None:
        raise NotFound("No such intervention.")
    return found


async def is_assigned_to(
    uow: MaintenanceUnitOfWork, actor: Actor, intervention: Intervention
) -> bool:
    if intervention.technician_id is None:
        return False
    profile = await uow.technicians.get_by_user(actor.user_id)
    return profile is not None and profile.id == intervention.technician_id


def check_period(
    starts_at: datetime, ends_at: datetime, *, max_days: int
) -> tuple[datetime, datetime]:
    """Aware ``from < to``, at most ``max_days`` apart; ``ValidationFailed`` otherwise."""
    c = Checker()
    start, end = c.timestamp("from", starts_at), c.timestamp("to", ends_at)
    c.raise_if_any()
    if end <= start:
        c.fail("to", "must be after 'from'")
    elif end - start > timedelta(days=max_days):
        c.fail("to", f"the period must not exceed {max_days} days")
    c.raise_if_any()
    return start, end
