"""POST /planning/preventive: plan the week's preventive interventions (idempotent per
equipment and week; ``result.created_any`` tells 201 from 200)."""

from __future__ import annotations

from application.maintenance import audit
from application.maintenance.commands import GeneratePreventiveCommand
from application.maintenance.planning_entries import add_entry
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.ports import ENTITY_INTERVENTION, MaintenanceUnitOfWork
from application.maintenance.views import (
    InterventionView,
    PlanningEntryView,
    PreventiveCreatedView,
    PreventiveResult,
    PreventiveSkippedView,
)
from application.shared.clock import Clock
from domain.maintenance.preventive import (
    check_week_start,
    plan_preventive_week,
    preventive_key,
    week_bounds,
)
from domain.shared.access import Action, Resource, authorize

_CREATED_FIELDS = (
    "title",
    "type",
    "status",
    "priority",
    "due_at",
    "equipment_id",
    "technician_id",
    "scheduled_at",
    "estimated_minutes",
)


class GeneratePreventive:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock, policy: MaintenancePolicy) -> None:
        self._uow, self._clock, self._policy = uow, clock, policy

    async def __call__(self, command: GeneratePreventiveCommand) -> PreventiveResult:
        actor = command.actor
        authorize(actor, Resource.PLANNING, Action.CREATE, owns=False)
        week_start = check_week_start(command.week_start)
        start, end = week_bounds(week_start)
        now = self._clock.now()
        async with self._uow as uow:
            technicians = await uow.technicians.all()
            for technician in sorted(technicians, key=lambda t: t.id):
                await uow.schedule.lock_technician(technician.id)
            equipment = await uow.equipment.list_due_before(end)
            existing = await uow.interventions.with_preventive_keys(
                [preventive_key(e.id, week_start) for e in equipment]
            )
            plan = plan_preventive_week(
                week_start=week_start,
                equipment=equipment,
                technicians=technicians,
                schedule=await uow.schedule.overlapping(start, end),
                existing=existing,
                created_by=actor.user_id,
                now=now,
                estimated_minutes=self._policy.preventive_minutes,
            )
            for item in plan.created:
                await uow.interventions.add(item.intervention)
                await audit.record(
                    uow,
                    actor=actor,
                    entity_type=ENTITY_INTERVENTION,
                    entity_id=item.intervention.id,
                    action="create",
                    changes=audit.created(audit.fields_of(item.intervention, _CREATED_FIELDS)),
                    at=now,
                )
                await add_entry(uow, actor, item.entry, now)
            if plan.created:
                await uow.commit()
        return PreventiveResult(
            week_start=week_start,
            created=tuple(
                PreventiveCreatedView(
                    equipment_id=item.equipment_id,
                    intervention=InterventionView.of(item.intervention, now),
                    entry=PlanningEntryView.of(item.entry, item.intervention),
                )
                for item in plan.created
            ),
            skipped=tuple(
                PreventiveSkippedView(
                    equipment_id=s.equipment_id, reason=s.reason, preventive_key=s.preventive_key
                )
                for s in plan.skipped
            ),
        )
