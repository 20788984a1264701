"""Planning-entry bookkeeping shared by the life-cycle use cases."""

from __future__ import annotations

from datetime import datetime

from application.maintenance import audit
from application.maintenance.ports import ENTITY_PLANNING_ENTRY, MaintenanceUnitOfWork
from domain.maintenance.intervention import Intervention
from domain.maintenance.scheduling import ScheduleEntry
from domain.shared.access import Actor

ENTRY_FIELDS = ("intervention_id", "technician_id", "starts_at", "ends_at")


async def remove_entry(
    uow: MaintenanceUnitOfWork, actor: Actor | None, intervention: Intervention, now: datetime
) -> None:
    """Delete the intervention's planning entry, if any, and audit the deletion."""
    entry = await uow.schedule.get_for_intervention(intervention.id)
    if entry is None:
        return
    await uow.schedule.lock_technician(entry.technician_id)
    await uow.schedule.remove(entry.id)
    await audit.record(
        uow,
        actor=actor,
        entity_type=ENTITY_PLANNING_ENTRY,
        entity_id=entry.id,
        action="delete",
        changes={
            name: (value, None) for name, value in audit.fields_of(entry, ENTRY_FIELDS).items()
        },
        at=now,
    )


async def add_entry(
    uow: MaintenanceUnitOfWork, actor: Actor | None, entry: ScheduleEntry, now: datetime
) -> None:
    """Insert a planning entry (clash already checked under the technician lock) and audit."""
    await uow.schedule.add(entry)
    await audit.record(
        uow,
        actor=actor,
        entity_type=ENTITY_PLANNING_ENTRY,
        entity_id=entry.id,
        action="create",
        changes=audit.created(audit.fields_of(entry, ENTRY_FIELDS)),
        at=now,
    )
