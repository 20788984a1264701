"""Data of GET /interventions/{id}/report.pdf: intervention, equipment, technician, timeline.

Readable by whoever may read the intervention (the HTTP layer renders the PDF).
"""

from __future__ import annotations

from application.maintenance.commands import InterventionReportQuery
from application.maintenance.guards import load_intervention
from application.maintenance.ports import ENTITY_INTERVENTION, MaintenanceUnitOfWork
from application.maintenance.views import (
    EquipmentView,
    InterventionReportData,
    InterventionView,
    TechnicianView,
    TimelineEvent,
)
from application.shared.audit import AuditFilters, AuditTrail, normalised
from application.shared.clock import Clock

TIMELINE_MAX = 200


class GetInterventionReport:
    def __init__(self, uow: MaintenanceUnitOfWork, trail: AuditTrail, clock: Clock) -> None:
        self._uow, self._trail, self._clock = uow, trail, clock

    async def __call__(self, query: InterventionReportQuery) -> InterventionReportData:
        now = self._clock.now()
        async with self._uow as uow:
            intervention, equipment = await load_intervention(
                uow, query.actor, query.intervention_id
            )
            counts = await uow.interventions.count_by_equipment([equipment.id])
            technicians = await uow.technicians.get_many(
                [intervention.technician_id] if intervention.technician_id else []
            )
        entries, _ = await self._trail.list(
            AuditFilters(entity_type=ENTITY_INTERVENTION, entity_id=intervention.id),
            limit=TIMELINE_MAX,
            offset=0,
        )
        technician = (
            technicians.get(intervention.technician_id) if intervention.technician_id else None
        )
        return InterventionReportData(
            intervention=InterventionView.of(intervention, now),
            equipment=EquipmentView.of(equipment, counts.get(equipment.id, 0)),
            technician=TechnicianView.of(technician) if technician else None,
            timeline=tuple(
                TimelineEvent(
                    at=e.at, action=e.action, actor_id=e.actor_id, changes=dict(e.changes)
                )
                for e in sorted(map(normalised, entries), key=lambda e: (e.at, e.id))
            ),
            documents=(),
            generated_at=now,
        )
