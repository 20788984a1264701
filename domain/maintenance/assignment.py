"""Automatic assignment: rank the technicians for an intervention's requested slot.

Score (0..105) = sum of the ``reasons`` sub-scores:

- ``skills`` (0..40): 40 x share of ``required_skills`` the technician has (40 when none
  are required);
- ``equipment_type`` (0 or 10): the equipment type matches the specialty or a skill (same
  text, or a shared word of 3+ letters, case-insensitive);
- ``availability`` (0 or 20): 20 when eligible (``available`` flag on, slot inside working
  hours, no clash with their schedule);
- ``load`` (0..20): ``20 / (1 + load_minutes / 480)``: fewer booked minutes score higher;
- ``seniority`` (0..15): level rank (junior 0 .. expert 3) / 3 x weight, weight 15 for
  critical, 8 for high, 4 otherwise.

Ranking: eligible first, then higher score, then lower technician id (deterministic).
Ineligible candidates stay in the list with ``why_not`` (``not_available``,
``outside_working_hours`` or ``schedule_conflict``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from uuid import UUID

from domain.maintenance.enums import Priority
from domain.maintenance.scheduling import ScheduleEntry, find_conflict, within_working_hours
from domain.maintenance.technician import Technician
from domain.shared.errors import RuleViolated

SKILLS_WEIGHT = 40.0
TYPE_WEIGHT = 10.0
AVAILABILITY_WEIGHT = 20.0
LOAD_WEIGHT = 20.0
LOAD_HALF_MINUTES = 480.0
SENIORITY_WEIGHT = {Priority.CRITICAL: 15.0, Priority.HIGH: 8.0}
SENIORITY_DEFAULT_WEIGHT = 4.0


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignmentRequest:
    """What is being staffed: the intervention's needs and the requested slot."""

    required_skills: tuple[str, ...]
    priority: Priority
    equipment_type: str
    starts_at: datetime
    estimated_minutes: int
    #: The intervention being assigned: its own schedule entry never clashes with itself.
    intervention_id: UUID | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.estimated_minutes)


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    technician_id: UUID
    score: float
    reasons: Mapping[str, float]
    eligible: bool
    why_not: str | None = None
    matched_skills: tuple[str, ...] = ()
    conflicting_entry_id: UUID | None = None
    load_minutes: int = 0


@lru_cache(maxsize=4096)
def _word_set(text: str) -> frozenset[str]:
    return frozenset(w for w in re.split(r"[^\w]+", text.casefold()) if len(w) >= 3)


def _words(text: str) -> set[str]:
    return set(_word_set(text))


def type_matches(technician: Technician, equipment_type: str) -> bool:
    """The equipment type matches the specialty or a skill (see module docstring)."""
    return _type_matches(technician.skills, technician.specialty, equipment_type)


@lru_cache(maxsize=8192)
def _type_matches(skills: tuple[str, ...], specialty: str | None, equipment_type: str) -> bool:
    """Pure in its (hashable) inputs: a ranking asks it once per technician and equipment
    type, and the same profiles are ranked again on every assignment."""
    wanted = " ".join(equipment_type.split()).casefold()
    if not wanted:
        return False
    labels = list(skills)
    if specialty:
        labels.append(" ".join(specialty.split()).casefold())
    if wanted in labels:
        return True
    wanted_words = _word_set(wanted)
    return any(not wanted_words.isdisjoint(_word_set(label)) for label in labels)


def skills_score(required: Iterable[str], skills: Iterable[str]) -> tuple[float, tuple[str, ...]]:
    """The ``skills`` sub-score and the matched skills (inputs already normalised)."""
    needed = set(required)
    if not needed:
        return SKILLS_WEIGHT, ()
    matched = tuple(sorted(needed & set(skills)))
    return round(SKILLS_WEIGHT * len(matched) / len(needed), 2), matched


def load_score(load_minutes: int) -> float:
    return round(LOAD_WEIGHT / (1 + max(load_minutes, 0) / LOAD_HALF_MINUTES), 2)


def seniority_score(technician: Technician, priority: Priority) -> float:
    weight = SENIORITY_WEIGHT.get(priority, SENIORITY_DEFAULT_WEIGHT)
    return round(weight * technician.experience_level.rank / 3, 2)


def evaluate(
    request: AssignmentRequest,
    technician: Technician,
    schedule: Iterable[ScheduleEntry],
    load_minutes: int,
    *,
    in_hours: bool | None = None,
) -> Candidate:
    """Score one technician for the request. ``in_hours``: whether the slot lies within the
    technician's working hours, when the caller computed it already (``rank_candidates``
    does it once per distinct set of working hours)."""
    why_not: str | None = None
    clash: ScheduleEntry | None = None
    if in_hours is None and technician.available:
        in_hours = within_working_hours(
            technician.working_hours, request.starts_at, request.ends_at
        )
    if not technician.available:
        why_not = "not_available"
    elif not in_hours:
        why_not = "outside_working_hours"
    elif schedule := tuple(schedule):  # most technicians have no entry near the slot
        probe = ScheduleEntry.create(
            intervention_id=request.intervention_id or UUID(int=0),
            technician_id=technician.id,
            starts_at=request.starts_at,
            estimated_minutes=request.estimated_minutes,
        )
        clash = find_conflict(probe, schedule)
        if clash is not None:
            why_not = "schedule_conflict"
    skills, matched = skills_score(request.required_skills, technician.skills)
    reasons = {
        "skills": skills,
        "equipment_type": TYPE_WEIGHT if type_matches(technician, request.equipment_type) else 0.0,
        "availability": AVAILABILITY_WEIGHT if why_not is None else 0.0,
        "load": load_score(load_minutes),
        "seniority": seniority_score(technician, request.priority),
    }
    return Candidate(
        technician_id=technician.id,
        score=round(sum(reasons.values()), 2),
        reasons=reasons,
        eligible=why_not is None,
        why_not=why_not,
        matched_skills=matched,
        conflicting_entry_id=clash.id if clash else None,
        load_minutes=load_minutes,
    )


def rank_candidates(
    request: AssignmentRequest,
    technicians: Sequence[Technician],
    schedule: Iterable[ScheduleEntry],
    loads: Mapping[UUID, int],
) -> list[Candidate]:
    """Every technician, best first: eligible before ineligible, then score descending,
    then technician id ascending. ``loads`` maps technician id -> booked minutes of planned
    and in-progress work (missing = 0)."""
    by_technician: dict[UUID, list[ScheduleEntry]] = {}
    for entry in schedule:
        by_technician.setdefault(entry.technician_id, []).append(entry)
    in_hours: dict[object, bool] = {}  # working hours -> does the slot fit (computed once)
    ranked: list[Candidate] = []
    for t in technicians:
        fits = in_hours.get(t.working_hours)
        if fits is None:
            fits = within_working_hours(t.working_hours, request.starts_at, request.ends_at)
            in_hours[t.working_hours] = fits
        own = by_technician.get(t.id, ())
        ranked.append(evaluate(request, t, own, loads.get(t.id, 0), in_hours=fits))
    ranked.sort(key=lambda c: (not c.eligible, -c.score, c.technician_id))
    return ranked


def pick_best(ranking: Sequence[Candidate]) -> Candidate:
    """The first eligible candidate, else ``RuleViolated(code="no_technician_available")``."""
    for candidate in ranking:
        if candidate.eligible:
            return candidate
    raise RuleViolated("No technician is available for this slot.", code="no_technician_available")
