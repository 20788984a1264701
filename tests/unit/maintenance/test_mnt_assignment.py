from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.maintenance.assignment import (
    AssignmentRequest,
    pick_best,
    rank_candidates,
    rank_top,
    skills_score,
)
from domain.maintenance.enums import ExperienceLevel, Priority
from domain.maintenance.scheduling import ScheduleEntry, within_working_hours
from domain.maintenance.technician import Technician, WorkingWindow
from domain.shared.errors import RuleViolated

from .factories import (
    SKILL_POOL,
    T0,
    at,
    entry,
    levels,
    make_technician,
    priorities,
    schedule_entries,
    skill_sets,
    uid,
)


def request(
    skills: tuple[str, ...] = ("hydraulics",),
    priority: Priority = Priority.NORMAL,
    starts_at: datetime | None = None,
    minutes: int = 60,
) -> AssignmentRequest:
    return AssignmentRequest(
        required_skills=skills,
        priority=priority,
        equipment_type="Hydraulic press",
        starts_at=starts_at or at(0, 9),
        estimated_minutes=minutes,
    )


@st.composite
def technicians(draw: st.DrawFn) -> list[Technician]:
    count = draw(st.integers(min_value=0, max_value=5))
    return [
        make_technician(
            id=uid(n + 1),
            user_id=uid(100 + n),
            skills=draw(skill_sets),
            experience_level=draw(levels),
            available=draw(st.booleans()),
            specialty=draw(st.none() | st.sampled_from(["Hydraulics", "Electrical"])),
        )
        for n in range(count)
    ]


@settings(max_examples=150)
@given(
    techs=technicians(),
    entries=schedule_entries(techs=5, max_size=8),
    required=skill_sets,
    priority=priorities,
    start_minute=st.integers(0, 6 * 1440),
    loads=st.lists(st.integers(0, 5000), min_size=5, max_size=5),
)
def test_ranking_properties(
    techs: list[Technician],
    entries: list[ScheduleEntry],
    required: list[str],
    priority: Priority,
    start_minute: int,
    loads: list[int],
) -> None:
    req = request(tuple(required), priority, T0 + timedelta(minutes=start_minute))
    load_map = {uid(n + 1): load for n, load in enumerate(loads)}
    ranking = rank_candidates(req, techs, entries, load_map)
    assert sorted(c.technician_id for c in ranking) == sorted(t.id for t in techs)
    # eligible candidates always come first
    flags = [c.eligible for c in ranking]
    assert flags == sorted(flags, reverse=True)
    # then by score descending, ties by id
    for a, b in pairwise(ranking):
        if a.eligible == b.eligible:
            assert (-a.score, a.technician_id) <= (-b.score, b.technician_id)
    for c in ranking:
        assert c.score == pytest.approx(sum(c.reasons.values()), abs=0.05)
        assert c.eligible == (c.why_not is None)
        assert (c.conflicting_entry_id is not None) == (c.why_not == "schedule_conflict")
    # deterministic, whatever the input order
    assert rank_candidates(req, list(reversed(techs)), list(reversed(entries)), load_map) == ranking
    if any(flags):
        assert pick_best(ranking) == ranking[0]
    else:
        with pytest.raises(RuleViolated) as exc:
            pick_best(ranking)
        assert exc.value.code == "no_technician_available"


@settings(max_examples=200)
@given(
    techs=technicians(),
    entries=schedule_entries(techs=5, max_size=8),
    required=skill_sets,
    priority=priorities,
    start_minute=st.integers(0, 6 * 1440),
    loads=st.lists(st.integers(0, 5000), min_size=5, max_size=5),
    keep=st.integers(0, 6),
    also=st.none() | st.integers(1, 7).map(uid),
)
def test_the_head_of_the_ranking_is_the_full_ranking_cut(
    techs: list[Technician],
    entries: list[ScheduleEntry],
    required: list[str],
    priority: Priority,
    start_minute: int,
    loads: list[int],
    keep: int,
    also: UUID | None,
) -> None:
    req = request(tuple(required), priority, T0 + timedelta(minutes=start_minute))
    load_map = {uid(n + 1): load for n, load in enumerate(loads)}
    full = rank_candidates(req, techs, entries, load_map)
    head = rank_top(req, techs, entries, load_map, keep=keep, also=also)
    assert head.top == tuple(full[:keep])
    assert head.total == len(full)
    assert head.chosen == next((c for c in full if c.technician_id == also), None)
    eligible = [c for c in full if c.eligible]
    assert head.best == (eligible[0] if eligible and keep else None)


WEEKS = (
    tuple(WorkingWindow(day, 8 * 60, 17 * 60) for day in range(5)),
    tuple(WorkingWindow(day, 6 * 60, 14 * 60) for day in range(6)),
    (WorkingWindow(5, 0, 1440), WorkingWindow(6, 0, 1440)),
)


def copy_of(week: tuple[WorkingWindow, ...]) -> tuple[WorkingWindow, ...]:
    """An equal week made of other objects."""
    return tuple(WorkingWindow(w.weekday, w.start_minute, w.end_minute) for w in week)


@settings(max_examples=150)
@given(
    picks=st.lists(st.tuples(st.integers(0, 2), st.booleans()), min_size=1, max_size=6),
    start_minute=st.integers(0, 7 * 1440),
    keep=st.integers(1, 6),
)
def test_each_technician_is_judged_on_its_own_week(
    picks: list[tuple[int, bool]], start_minute: int, keep: int
) -> None:
    """Weeks are cached per ranking: shared tuples, equal copies and different weeks
    each get the answer ``within_working_hours`` gives for that technician."""
    techs = [
        make_technician(
            id=uid(n + 1),
            user_id=uid(100 + n),
            working_hours=WEEKS[week] if shared else copy_of(WEEKS[week]),
        )
        for n, (week, shared) in enumerate(picks)
    ]
    req = request(starts_at=T0 + timedelta(minutes=start_minute))
    expected = {
        t.id: not within_working_hours(t.working_hours, req.starts_at, req.ends_at) for t in techs
    }
    for ranking in (
        rank_candidates(req, techs, [], {}),
        rank_top(req, techs, [], {}, keep=keep).top,
    ):
        for candidate in ranking:
            outside = candidate.why_not == "outside_working_hours"
            assert outside == expected[candidate.technician_id]


@settings(max_examples=150)
@given(required=skill_sets, have=skill_sets, extra=st.sampled_from(SKILL_POOL))
def test_more_skill_matches_never_lower_the_skills_score(
    required: list[str], have: list[str], extra: str
) -> None:
    before, _ = skills_score(required, have)
    after, matched = skills_score(required, [*have, extra])
    assert after >= before
    assert set(matched) <= set(required)


@settings(max_examples=100)
@given(level=levels, low=st.integers(0, 3000), more=st.integers(1, 3000))
def test_lower_load_scores_higher_all_else_equal(
    level: ExperienceLevel, low: int, more: int
) -> None:
    a = make_technician(id=uid(1), experience_level=level)
    b = make_technician(id=uid(2), experience_level=level)
    ranking = rank_candidates(request(), [b, a], [], {uid(1): low + more, uid(2): low})
    light, heavy = sorted(ranking, key=lambda c: c.load_minutes)
    assert light.reasons["load"] >= heavy.reasons["load"]
    if light.score > heavy.score:
        assert ranking[0] is light
    else:  # equal after rounding: the lower id wins
        assert ranking[0].technician_id == uid(1)


def test_reasons_and_ineligibility() -> None:
    expert = make_technician(id=uid(1), skills=["hydraulics"], experience_level="expert")
    busy = make_technician(id=uid(2), skills=["hydraulics"])
    away = make_technician(id=uid(3), available=False)
    ranking = rank_candidates(
        request(priority=Priority.CRITICAL), [away, busy, expert], [entry(2, at(0, 8), 90)], {}
    )
    assert [(c.technician_id, c.eligible, c.why_not) for c in ranking] == [
        (uid(1), True, None),
        (uid(2), False, "schedule_conflict"),
        (uid(3), False, "not_available"),
    ]
    best = ranking[0]
    assert best.reasons == {
        "skills": 40.0,
        "equipment_type": 0.0,  # "hydraulics" is not a word of "Hydraulic press"
        "availability": 20.0,
        "load": 20.0,
        "seniority": 15.0,
    }
    assert best.score == 95.0
    assert best.matched_skills == ("hydraulics",)
    weekend = rank_candidates(request(starts_at=at(5, 9)), [expert], [], {})
    assert weekend[0].why_not == "outside_working_hours"


def test_equipment_type_matches_specialty_or_skill() -> None:
    by_specialty = make_technician(id=uid(1), specialty="Hydraulic", skills=[])
    by_skill = make_technician(id=uid(2), skills=["press"])
    unrelated = make_technician(id=uid(3), specialty="Electrical", skills=["plc"])
    scores = {
        c.technician_id: c.reasons["equipment_type"]
        for c in rank_candidates(request(skills=()), [by_specialty, by_skill, unrelated], [], {})
    }
    assert scores == {uid(1): 10.0, uid(2): 10.0, uid(3): 0.0}


def test_seniority_weighs_more_for_critical_work() -> None:
    expert = make_technician(id=uid(1), experience_level="expert")
    normal = rank_candidates(request(priority=Priority.NORMAL), [expert], [], {})[0]
    critical = rank_candidates(request(priority=Priority.CRITICAL), [expert], [], {})[0]
    assert critical.reasons["seniority"] > normal.reasons["seniority"]
