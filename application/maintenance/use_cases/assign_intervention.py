"""POST /interventions/{id}/assign: explicit or automatic (best ranked) technician.

The ranking (``domain.maintenance.assignment.rank_top``) is always computed; the answer lists
its best ``CANDIDATES_SHOWN`` candidates and how many were ranked (``candidates_total``). A dry run
stops there and changes nothing. Otherwise a clash the ranking saw is 409
``schedule_conflict`` naming the entry; the intervention becomes ``planned`` and its planning
entry is written. No lock is taken: SQLite and the memory store serialise whole
transactions, and PostgreSQL's exclusion constraint refuses an entry that overlaps one
committed meanwhile by another request or instance (the same 409, from
``ScheduleRepository.add``).

A slot starting more than ``policy.schedule_past_grace`` before now is 422
``scheduled_in_past``, for a dry run too (a client learns it before it commits to anything).
An automatic assignment that finds nobody eligible is 422 ``no_technician_available`` with
the same ``candidates`` (each with its ``why_not``) and ``candidates_total`` a dry run shows.
"""

from __future__ import annotations

from uuid import UUID

from application.contracts.maintenance import InterventionAssigned
from application.maintenance import audit
from application.maintenance.commands import AssignInterventionCommand
from application.maintenance.guards import load_intervention
from application.maintenance.planning_entries import add_entry
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.ports import ENTITY_INTERVENTION, MaintenanceUnitOfWork
from application.maintenance.publishing import facts, technician_user
from application.maintenance.views import (
    AssignmentView,
    AssignResult,
    CandidateView,
    InterventionView,
)
from application.shared.clock import Clock
from domain.maintenance.assignment import AssignmentRequest, Candidate, Ranking, rank_top
from domain.maintenance.enums import InterventionStatus
from domain.maintenance.lifecycle import check_transition
from domain.maintenance.scheduling import ScheduleEntry, ensure_no_conflict, ensure_not_in_past
from domain.maintenance.validation import (
    ESTIMATED_MINUTES_MAX,
    ESTIMATED_MINUTES_MIN,
    Checker,
)
from domain.shared.access import Action
from domain.shared.errors import RuleViolated, UnknownReference

#: Candidates listed in the answer (the best ranked ones); ``candidates_total`` counts all.
CANDIDATES_SHOWN = 10


class AssignIntervention:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock, policy: MaintenancePolicy) -> None:
        self._uow, self._clock, self._policy = uow, clock, policy

    async def __call__(self, command: AssignInterventionCommand) -> AssignResult:
        c = Checker()
        starts_at = c.timestamp("scheduled_at", command.scheduled_at)
        minutes = c.integer(
            "estimated_minutes",
            command.estimated_minutes,
            low=ESTIMATED_MINUTES_MIN,
            high=ESTIMATED_MINUTES_MAX,
        )
        c.raise_if_any()
        now = self._clock.now()
        async with self._uow as uow:
            intervention, equipment = await load_intervention(
                uow, command.actor, command.intervention_id, Action.ASSIGN
            )
            intervention.check_version(command.expected_version)
            check_transition(intervention.status, InterventionStatus.PLANNED)
            ensure_not_in_past(starts_at, now, self._policy.schedule_past_grace)
            request = AssignmentRequest(
                required_skills=intervention.required_skills,
                priority=intervention.priority,
                equipment_type=equipment.type,
                starts_at=starts_at,
                estimated_minutes=minutes,
                intervention_id=intervention.id,
            )
            pool = await uow.technicians.ranking_pool(
                request.starts_at, request.ends_at, intervention_id=intervention.id
            )
            ranking = rank_top(
                request,
                pool.technicians,
                pool.clashes,
                pool.loads,
                keep=CANDIDATES_SHOWN,
                also=command.technician_id,
            )
            chosen = _choose(ranking, command.technician_id, dry_run=command.dry_run)
            if command.dry_run:
                return AssignResult(
                    intervention=InterventionView.of(intervention, now),
                    assignment=_assignment(chosen, ranking),
                    dry_run=True,
                    entry_id=None,
                )
            assert chosen is not None  # _choose raises when nobody can be chosen
            entry = ScheduleEntry.create(
                intervention_id=intervention.id,
                technician_id=chosen.technician_id,
                starts_at=starts_at,
                estimated_minutes=minutes,
            )
            # the clashes the ranking read in this transaction: final where transactions are
            # serialised (SQLite, memory); on PostgreSQL a booking committed since then is
            # refused by the store itself when the entry is added (ScheduleConflict)
            ensure_no_conflict(entry, pool.clashes)
            loaded, before = (
                intervention.version,
                audit.fields_of(intervention, audit.LIFECYCLE_FIELDS),
            )
            intervention.assign(chosen.technician_id, starts_at, minutes, now)
            await uow.interventions.save(intervention, expected_version=loaded)
            await audit.record(
                uow,
                actor=command.actor,
                entity_type=ENTITY_INTERVENTION,
                entity_id=intervention.id,
                action="assign",
                changes=audit.diff(before, audit.fields_of(intervention, audit.LIFECYCLE_FIELDS)),
                at=now,
            )
            await add_entry(uow, command.actor, entry, now)
            uow.emit(
                InterventionAssigned(
                    **facts(intervention, equipment),
                    technician_id=chosen.technician_id,
                    technician_user_id=technician_user(pool.technicians, chosen.technician_id),
                    scheduled_at=starts_at,
                    estimated_minutes=minutes,
                ),
                occurred_at=now,
            )
            await uow.commit()
        return AssignResult(
            intervention=InterventionView.of(intervention, now),
            assignment=_assignment(chosen, ranking),
            dry_run=False,
            entry_id=entry.id,
        )


def _choose(ranking: Ranking, technician_id: UUID | None, *, dry_run: bool) -> Candidate | None:
    if technician_id is not None:
        candidate = ranking.chosen
        if candidate is None:
            raise UnknownReference("technician_id", "technician profile")
        if candidate.why_not == "not_available" and not dry_run:
            raise RuleViolated(
                "This technician is flagged unavailable.", code="technician_unavailable"
            )
        return candidate
    best = ranking.best
    if best is None and not dry_run:
        shown = ranking.top
        reasons = sorted({c.why_not for c in shown if c.why_not})
        raise RuleViolated(
            "No technician is available for this slot"
            + (f" ({', '.join(reasons)})." if reasons else " (there is no technician profile)."),
            code="no_technician_available",
            extra={
                "candidates": [_candidate_extra(c) for c in shown],
                "candidates_total": ranking.total,
            },
        )
    return best


def _candidate_extra(c: Candidate) -> dict[str, object]:
    """A candidate as the problem document carries it (the dry run's ``candidates`` item)."""
    return {
        "technician_id": str(c.technician_id),
        "score": c.score,
        "reasons": dict(c.reasons),
        "eligible": c.eligible,
        "why_not": c.why_not,
        "matched_skills": list(c.matched_skills),
        "conflicting_entry_id": str(c.conflicting_entry_id) if c.conflicting_entry_id else None,
        "load_minutes": c.load_minutes,
    }


def _assignment(chosen: Candidate | None, ranking: Ranking) -> AssignmentView:
    return AssignmentView(
        technician_id=chosen.technician_id if chosen else None,
        score=chosen.score if chosen else None,
        reasons=dict(chosen.reasons) if chosen else {},
        candidates=tuple(CandidateView.of(c) for c in ranking.top),
        candidates_total=ranking.total,
    )
