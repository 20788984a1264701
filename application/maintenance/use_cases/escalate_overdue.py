"""The periodic escalation job: critical interventions still open and unassigned after the
configured delay get ``InterventionEscalated`` (once each; notifications subscribe to it)."""

from __future__ import annotations

from application.contracts.maintenance import InterventionEscalated
from application.maintenance import audit
from application.maintenance.commands import EscalateOverdueCommand
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.ports import ENTITY_INTERVENTION, MaintenanceUnitOfWork
from application.maintenance.publishing import facts
from application.maintenance.views import EscalationResult
from application.shared.clock import Clock
from domain.maintenance.escalation import needs_escalation


class EscalateOverdue:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock, policy: MaintenancePolicy) -> None:
        self._uow, self._clock, self._policy = uow, clock, policy

    async def __call__(self, command: EscalateOverdueCommand) -> EscalationResult:
        now = command.now or self._clock.now()
        delay = self._policy.escalation_delay
        escalated = []
        async with self._uow as uow:
            candidates = await uow.interventions.escalation_candidates(now - delay)
            equipment = await uow.equipment.get_many({item.equipment_id for item in candidates})
            for item in candidates:
                if not needs_escalation(item, now, delay):
                    continue
                loaded = item.version
                if item.escalate(now):
                    await uow.interventions.save(item, expected_version=loaded)
                    await audit.record(
                        uow,
                        actor=None,
                        entity_type=ENTITY_INTERVENTION,
                        entity_id=item.id,
                        action="escalate",
                        changes={"escalated_at": (None, now)},
                        at=now,
                    )
                    uow.emit(
                        InterventionEscalated(
                            **facts(item, equipment[item.equipment_id]),
                            created_at=item.created_at,
                            escalated_at=now,
                        ),
                        occurred_at=now,
                    )
                    escalated.append(item.id)
            if escalated:
                await uow.commit()
        return EscalationResult(escalated=tuple(escalated))
