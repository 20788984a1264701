"""PATCH /planning/{id}: move a planned intervention's slot (409 ``schedule_conflict``).

A new ``scheduled_at`` more than ``policy.schedule_past_grace`` before now is 422
``scheduled_in_past``; changing only ``estimated_minutes`` of a slot that has begun is fine.
"""

from __future__ import annotations

from application.maintenance import audit
from application.maintenance.commands import RescheduleEntryCommand
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.ports import (
    ENTITY_INTERVENTION,
    ENTITY_PLANNING_ENTRY,
    MaintenanceUnitOfWork,
)
from application.maintenance.views import PlanningEntryView
from application.shared.clock import Clock
from domain.maintenance.scheduling import ensure_no_conflict, ensure_not_in_past
from domain.shared.access import Action, Resource, authorize
from domain.shared.errors import NotFound, PreconditionFailed


class RescheduleEntry:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock, policy: MaintenancePolicy) -> None:
        self._uow, self._clock, self._policy = uow, clock, policy

    async def __call__(self, command: RescheduleEntryCommand) -> PlanningEntryView:
        actor = command.actor
        now = self._clock.now()
        async with self._uow as uow:
            entry = await uow.schedule.get(command.entry_id)
            if entry is None:
                raise NotFound("No such planning entry.")
            authorize(actor, Resource.PLANNING, Action.UPDATE, owns=False)
            if command.expected_version is not None and command.expected_version != entry.version:
                raise PreconditionFailed(
                    f"The resource is at version {entry.version}, not {command.expected_version}.",
                    extra={"current_version": entry.version},
                )
            intervention = await uow.interventions.get(entry.intervention_id)
            if intervention is None:
                raise NotFound("No such planning entry.")
            await uow.schedule.lock_technician(entry.technician_id)
            loaded = intervention.version
            at = command.scheduled_at if command.scheduled_at is not None else entry.starts_at
            if command.scheduled_at is not None and at != entry.starts_at:
                ensure_not_in_past(at, now, self._policy.schedule_past_grace)
            minutes = (
                command.estimated_minutes
                if command.estimated_minutes is not None
                else entry.estimated_minutes
            )
            diff = intervention.reschedule(at, minutes, now)  # validates both values
            if not diff:
                return PlanningEntryView.of(entry, intervention)
            moved = entry.rescheduled(at, minutes)
            ensure_no_conflict(
                moved,
                await uow.schedule.overlapping(
                    moved.starts_at, moved.ends_at, technician_id=moved.technician_id
                ),
            )
            await uow.interventions.save(intervention, expected_version=loaded)
            await uow.schedule.save(moved, expected_version=entry.version)
            await audit.record(
                uow,
                actor=actor,
                entity_type=ENTITY_PLANNING_ENTRY,
                entity_id=entry.id,
                action="reschedule",
                changes=audit.diff(
                    {"starts_at": entry.starts_at, "ends_at": entry.ends_at},
                    {"starts_at": moved.starts_at, "ends_at": moved.ends_at},
                ),
                at=now,
            )
            await audit.record(
                uow,
                actor=actor,
                entity_type=ENTITY_INTERVENTION,
                entity_id=intervention.id,
                action="reschedule",
                changes=diff,
                at=now,
            )
            await uow.commit()
        return PlanningEntryView.of(moved, intervention)
