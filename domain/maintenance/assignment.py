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

import heapq
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from uuid import UUID

from domain.maintenance.enums import ExperienceLevel, Priority
from domain.maintenance.scheduling import ScheduleEntry, find_conflict, within_working_hours
from domain.maintenance.technician import Technician, WorkingWindow
from domain.maintenance.validation import ensure_aware
from domain.shared.errors import RuleViolated

SKILLS_WEIGHT = 40.0
TYPE_WEIGHT = 10.0
AVAILABILITY_WEIGHT = 20.0
LOAD_WEIGHT = 20.0
LOAD_HALF_MINUTES = 480.0
SENIORITY_WEIGHT = {Priority.CRITICAL: 15.0, Priority.HIGH: 8.0}
SENIORITY_DEFAULT_WEIGHT = 4.0
#: The sub-scores of a candidate's ``reasons``, in order.
REASONS = ("skills", "equipment_type", "availability", "load", "seniority")


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


@lru_cache(maxsize=1024)
def _skills_share(matched: int, needed: int) -> float:
    return round(SKILLS_WEIGHT * matched / needed, 2) if needed else SKILLS_WEIGHT


def skills_score(required: Iterable[str], skills: Iterable[str]) -> tuple[float, tuple[str, ...]]:
    """The ``skills`` sub-score and the matched skills (inputs already normalised)."""
    needed = set(required)
    if not needed:
        return SKILLS_WEIGHT, ()
    matched = tuple(sorted(needed & set(skills)))
    return _skills_share(len(matched), len(needed)), matched


@lru_cache(maxsize=8192)
def load_score(load_minutes: int) -> float:
    """Cached: ``round`` to 2 places costs more than the rest of a candidate's key."""
    return round(LOAD_WEIGHT / (1 + max(load_minutes, 0) / LOAD_HALF_MINUTES), 2)


def seniority_score(technician: Technician, priority: Priority) -> float:
    return seniority_score_of(technician.experience_level, priority)


def seniority_score_of(level: ExperienceLevel, priority: Priority) -> float:
    weight = SENIORITY_WEIGHT.get(priority, SENIORITY_DEFAULT_WEIGHT)
    return round(weight * level.rank / 3, 2)


#: The id of the slot being ranked for (``_clash``): the nil UUID, never a stored entry's.
_PROBE_ID = UUID(int=0)


def _clash(
    request: AssignmentRequest, technician: Technician, schedule: Iterable[ScheduleEntry]
) -> ScheduleEntry | None:
    if not (entries := tuple(schedule)):  # most technicians have no entry near the slot
        return None
    # the slot asked for, as an entry that is not stored (no fresh id: this runs for every
    # technician with an entry near the slot, and a fresh id reads the system's randomness)
    starts_at = ensure_aware(request.starts_at, "scheduled_at")
    probe = ScheduleEntry(
        id=_PROBE_ID,
        intervention_id=request.intervention_id or _PROBE_ID,
        technician_id=technician.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=request.estimated_minutes),
    )
    return find_conflict(probe, entries)


def _why_not(
    request: AssignmentRequest,
    technician: Technician,
    schedule: Iterable[ScheduleEntry],
    in_hours: bool | None,
) -> tuple[str | None, ScheduleEntry | None]:
    if not technician.available:
        return "not_available", None
    if in_hours is None:
        in_hours = within_working_hours(
            technician.working_hours, request.starts_at, request.ends_at
        )
    if not in_hours:
        return "outside_working_hours", None
    clash = _clash(request, technician, schedule)
    return ("schedule_conflict" if clash is not None else None), clash


def _sub_scores(
    request: AssignmentRequest, technician: Technician, skills: float, eligible: bool, load: int
) -> tuple[float, float, float, float, float]:
    """The ``reasons`` in their order: one computation for ``evaluate`` and ``rank_top``."""
    return (
        skills,
        TYPE_WEIGHT if type_matches(technician, request.equipment_type) else 0.0,
        AVAILABILITY_WEIGHT if eligible else 0.0,
        load_score(load),
        seniority_score(technician, request.priority),
    )


def _total(parts: tuple[float, float, float, float, float]) -> float:
    return round(sum(parts), 2)


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
    why_not, clash = _why_not(request, technician, schedule, in_hours)
    skills, matched = skills_score(request.required_skills, technician.skills)
    parts = _sub_scores(request, technician, skills, why_not is None, load_minutes)
    return Candidate(
        technician_id=technician.id,
        score=_total(parts),
        reasons=dict(zip(REASONS, parts, strict=True)),
        eligible=why_not is None,
        why_not=why_not,
        matched_skills=matched,
        conflicting_entry_id=clash.id if clash else None,
        load_minutes=load_minutes,
    )


class _SlotFit:
    """Whether the slot lies within a week of working hours, computed once per distinct
    week. Looked up by the tuple's identity first (the store hands out one tuple for equal
    weeks), then by value: a tuple of dataclasses hashes and compares field by field in
    Python, which cost more than the rest of a technician's ranking."""

    __slots__ = ("_by_object", "_by_value", "_ends_at", "_starts_at")

    def __init__(self, request: AssignmentRequest) -> None:
        self._starts_at, self._ends_at = request.starts_at, request.ends_at
        # ids are of tuples the caller's technicians hold, so none is freed (and its id
        # reused) while this object is in use
        self._by_object: dict[int, bool] = {}
        self._by_value: dict[tuple[WorkingWindow, ...], bool] = {}

    def __call__(self, hours: tuple[WorkingWindow, ...]) -> bool:
        fits = self._by_object.get(id(hours))
        if fits is None:
            fits = self._by_value.get(hours)
            if fits is None:
                fits = within_working_hours(hours, self._starts_at, self._ends_at)
                self._by_value[hours] = fits
            self._by_object[id(hours)] = fits
        return fits


def _schedules(schedule: Iterable[ScheduleEntry]) -> dict[UUID, list[ScheduleEntry]]:
    by_technician: dict[UUID, list[ScheduleEntry]] = {}
    for entry in schedule:
        by_technician.setdefault(entry.technician_id, []).append(entry)
    return by_technician


def rank_candidates(
    request: AssignmentRequest,
    technicians: Sequence[Technician],
    schedule: Iterable[ScheduleEntry],
    loads: Mapping[UUID, int],
) -> list[Candidate]:
    """Every technician, best first: eligible before ineligible, then score descending,
    then technician id ascending. ``loads`` maps technician id -> booked minutes of planned
    and in-progress work (missing = 0)."""
    by_technician = _schedules(schedule)
    fit = _SlotFit(request)
    ranked: list[Candidate] = []
    for t in technicians:
        own = by_technician.get(t.id, ())
        ranked.append(evaluate(request, t, own, loads.get(t.id, 0), in_hours=fit(t.working_hours)))
    ranked.sort(key=lambda c: (not c.eligible, -c.score, c.technician_id))
    return ranked


@dataclass(frozen=True, slots=True, kw_only=True)
class Ranking:
    """The head of ``rank_candidates``' list, built without building the rest."""

    #: The best ``keep`` candidates, in ``rank_candidates``' order.
    top: tuple[Candidate, ...]
    #: How many technicians were ranked.
    total: int
    #: The candidate of the technician asked for (``also``), wherever they rank; None when
    #: none was asked for or they are not among the technicians.
    chosen: Candidate | None = None

    @property
    def best(self) -> Candidate | None:
        """The first eligible candidate (eligible ones rank first), or None."""
        return self.top[0] if self.top and self.top[0].eligible else None


def rank_top(
    request: AssignmentRequest,
    technicians: Sequence[Technician],
    schedule: Iterable[ScheduleEntry],
    loads: Mapping[UUID, int],
    *,
    keep: int,
    also: UUID | None = None,
) -> Ranking:
    """``rank_candidates(...)[:keep]`` (and the candidate of ``also``), for a fraction of its
    cost: every technician gets only its sort key (the same sub-scores, summed the same
    way), and full candidates are built for the ``keep`` best and ``also``. An assignment
    ranks every technician but shows ten."""
    by_technician = _schedules(schedule)
    needed = frozenset(request.required_skills)
    wanted = request.equipment_type
    seniority = {level: seniority_score_of(level, request.priority) for level in ExperienceLevel}
    fit = _SlotFit(request)
    keys: list[tuple[bool, float, UUID, int]] = []
    # the sub-scores of ``_sub_scores``, inlined (the loop runs once per technician), and
    # summed in the same order so that the score is the same float
    for index, t in enumerate(technicians):
        if not t.available:
            refused = True
        else:
            own = by_technician.get(t.id)
            refused = not fit(t.working_hours) or (
                own is not None and _clash(request, t, own) is not None
            )
        skills = _skills_share(len(needed.intersection(t.skills)), len(needed))
        score = round(
            0
            + skills
            + (TYPE_WEIGHT if _type_matches(t.skills, t.specialty, wanted) else 0.0)
            + (0.0 if refused else AVAILABILITY_WEIGHT)
            + load_score(loads.get(t.id, 0))
            + seniority[t.experience_level],
            2,
        )
        keys.append((refused, -score, t.id, index))
    head = heapq.nsmallest(keep, keys)

    def full(index: int) -> Candidate:
        t = technicians[index]
        return evaluate(
            request, t, by_technician.get(t.id, ()), loads.get(t.id, 0),
            in_hours=fit(t.working_hours) if t.available else None,
        )  # fmt: skip

    top = tuple(full(index) for *_, index in head)
    chosen = next((c for c in top if c.technician_id == also), None)
    if chosen is None and also is not None:
        found = next((i for i, t in enumerate(technicians) if t.id == also), None)
        chosen = full(found) if found is not None else None
    return Ranking(top=top, total=len(keys), chosen=chosen)


def pick_best(ranking: Sequence[Candidate]) -> Candidate:
    """The first eligible candidate, else ``RuleViolated(code="no_technician_available")``."""
    for candidate in ranking:
        if candidate.eligible:
            return candidate
    raise RuleViolated("No technician is available for this slot.", code="no_technician_available")
