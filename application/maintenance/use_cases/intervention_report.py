"""Data of GET /interventions/{id}/report.pdf: intervention, equipment, technician, the
timeline in sentences (people named through identity's user directory) and the documents
(through the documents module's published port, when that module is installed).

Readable by whoever may read the intervention (the HTTP layer renders the PDF).
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from application.contracts.documents import InterventionDocuments
from application.maintenance.commands import InterventionReportQuery
from application.maintenance.guards import load_intervention
from application.maintenance.ports import (
    ENTITY_INTERVENTION,
    MaintenanceUnitOfWork,
    UserDirectory,
)
from application.maintenance.timeline import Narrator
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
    def __init__(
        self,
        uow: MaintenanceUnitOfWork,
        trail: AuditTrail,
        clock: Clock,
        users: UserDirectory,
        documents: InterventionDocuments | None = None,
    ) -> None:
        self._uow, self._trail, self._clock = uow, trail, clock
        self._directory, self._documents = users, documents

    async def _people(self, values: Iterable[object]) -> dict[str, str]:
        """Names of the users and technician profiles among ``values`` (ids or id strings);
        one connection at a time (the directory is another module's)."""
        ids: set[UUID] = set()
        for value in values:
            try:
                ids.add(UUID(str(value)))
            except ValueError:
                continue
        async with self._uow as uow:
            technicians = await uow.technicians.get_many(ids)
        names: dict[str, str] = {}
        for user_id in ids | {t.user_id for t in technicians.values()}:
            user = await self._directory.get_user(user_id)
            if user is not None:
                names[str(user_id)] = user.name or "an unnamed user"
        for technician_id, technician in technicians.items():
            if str(technician.user_id) in names:
                names[str(technician_id)] = names[str(technician.user_id)]
        return names

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
        entries = sorted(map(normalised, entries), key=lambda e: (e.at, e.id))
        mentioned: list[object] = [e.actor_id for e in entries if e.actor_id]
        for e in entries:
            mentioned.extend(e.changes.get("technician_id") or ())
        if intervention.technician_id:
            mentioned.append(intervention.technician_id)
        people = await self._people(mentioned)
        narrator = Narrator(people)
        documents = (
            await self._documents.list_for(intervention.id) if self._documents is not None else ()
        )
        technician = (
            technicians.get(intervention.technician_id) if intervention.technician_id else None
        )
        return InterventionReportData(
            intervention=InterventionView.of(intervention, now),
            equipment=EquipmentView.of(equipment, counts.get(equipment.id, 0)),
            technician=TechnicianView.of(technician) if technician else None,
            technician_name=(
                people.get(str(intervention.technician_id)) if intervention.technician_id else None
            ),
            timeline=tuple(
                TimelineEvent(
                    at=e.at,
                    action=e.action,
                    actor_id=e.actor_id,
                    changes=dict(e.changes),
                    text=narrator.sentence(e.at, e.action, e.actor_id, e.changes),
                )
                for e in entries
            ),
            documents=tuple(documents),
            generated_at=now,
        )
