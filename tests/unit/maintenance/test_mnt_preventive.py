from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.maintenance.enums import InterventionStatus, InterventionType
from domain.maintenance.equipment import Equipment
from domain.maintenance.preventive import (
    ALREADY_PLANNED,
    NO_TECHNICIAN,
    plan_preventive_week,
    preventive_key,
    week_bounds,
)
from domain.maintenance.scheduling import ScheduleEntry, find_conflict, is_available
from domain.maintenance.technician import Technician
from domain.shared.errors import RuleViolated

from .factories import MONDAY, T0, at, make_equipment, make_technician, schedule_entries, uid

WEEK_END = T0 + timedelta(days=7)


@st.composite
def fleets(draw: st.DrawFn) -> list[Equipment]:
    count = draw(st.integers(min_value=0, max_value=8))
    fleet = []
    for n in range(count):
        offset = draw(st.integers(min_value=-20, max_value=20))  # days around the week
        eq = make_equipment(
            id=uid(500 + n),
            serial_number=f"SN-{n}",
            maintenance_interval_days=draw(st.none() | st.just(10)),
            last_maintenance_at=T0 + timedelta(days=offset - 10),
            now=T0 - timedelta(days=60),
        )
        if draw(st.booleans()) and draw(st.booleans()):
            eq.retire(0, T0 - timedelta(days=30))
        fleet.append(eq)
    return fleet


@st.composite
def crews(draw: st.DrawFn) -> list[Technician]:
    count = draw(st.integers(min_value=0, max_value=3))
    return [
        make_technician(id=uid(n + 1), user_id=uid(50 + n), available=draw(st.booleans()))
        for n in range(count)
    ]


def is_due(eq: Equipment) -> bool:
    nxt = eq.next_maintenance_at
    return not eq.is_retired and nxt is not None and nxt < WEEK_END


@settings(max_examples=100, deadline=None)
@given(
    fleet=fleets(),
    crew=crews(),
    schedule=schedule_entries(techs=3, max_size=6),
    now_offset=st.integers(min_value=-3 * 1440, max_value=3 * 1440),
    minutes=st.integers(min_value=30, max_value=480),
)
def test_plan_is_sound_and_idempotent(
    fleet: list[Equipment],
    crew: list[Technician],
    schedule: list[ScheduleEntry],
    now_offset: int,
    minutes: int,
) -> None:
    now = T0 + timedelta(minutes=now_offset)
    plan = plan_preventive_week(
        week_start=MONDAY, equipment=fleet, technicians=crew, schedule=schedule,
        existing=[], created_by=uid(900), now=now, estimated_minutes=minutes,
    )  # fmt: skip
    due = {eq.id for eq in fleet if is_due(eq)}
    created = {p.equipment_id for p in plan.created}
    assert created | {s.equipment_id for s in plan.skipped} == due
    assert not created & {s.equipment_id for s in plan.skipped}
    assert all(s.reason == NO_TECHNICIAN for s in plan.skipped)
    crew_by_id = {t.id: t for t in crew}
    booked = list(schedule)
    for item in plan.created:
        iv, e = item.intervention, item.entry
        assert iv.status is InterventionStatus.PLANNED
        assert iv.type is InterventionType.PREVENTIVE
        assert iv.preventive_key == preventive_key(item.equipment_id, MONDAY)
        assert (e.intervention_id, e.technician_id, e.starts_at) == (
            iv.id, iv.technician_id, iv.scheduled_at
        )  # fmt: skip
        assert e.estimated_minutes == minutes
        assert max(now, T0) <= e.starts_at
        assert e.ends_at <= WEEK_END
        assert is_available(crew_by_id[e.technician_id], e.starts_at, e.ends_at)
        assert find_conflict(e, booked) is None  # no clash with the old or the new entries
        booked.append(e)
    again = plan_preventive_week(
        week_start=MONDAY, equipment=fleet, technicians=crew, schedule=booked,
        existing=[p.intervention for p in plan.created], created_by=uid(900), now=now,
        estimated_minutes=minutes,
    )  # fmt: skip
    assert again.created == ()
    assert {s.equipment_id for s in again.skipped if s.reason == ALREADY_PLANNED} == created


def test_load_is_spread_least_loaded_first() -> None:
    crew = [make_technician(id=uid(1)), make_technician(id=uid(2), user_id=uid(3))]
    fleet = [
        make_equipment(
            id=uid(500 + n),
            serial_number=f"S{n}",
            installed_on=date(2026, 1, 1),
            maintenance_interval_days=30,
            now=T0,
        )
        for n in range(4)
    ]
    busy = ScheduleEntry.create(
        intervention_id=uid(77), technician_id=uid(1), starts_at=at(0, 8), estimated_minutes=60
    )
    plan = plan_preventive_week(
        week_start=MONDAY, equipment=fleet, technicians=crew, schedule=[busy], existing=[],
        created_by=uid(900), now=T0,
    )  # fmt: skip
    techs = [p.entry.technician_id for p in plan.created]
    # loads (tech 1, tech 2): 60/0 -> 60/120 -> 180/120 -> 180/240 -> 300/240
    assert techs == [uid(2), uid(1), uid(2), uid(1)]
    assert [p.entry.starts_at for p in plan.created] == [at(0, 8), at(0, 9), at(0, 10), at(0, 11)]


@pytest.mark.parametrize("bad", [date(2026, 11, 17), T0, "2026-11-16"])
def test_week_start_must_be_a_monday_date(bad: object) -> None:
    with pytest.raises(RuleViolated):
        plan_preventive_week(
            week_start=bad,  # type: ignore[arg-type]
            equipment=[], technicians=[], schedule=[], existing=[], created_by=uid(1), now=T0,
        )  # fmt: skip


def test_key_and_bounds() -> None:
    assert preventive_key(uid(5), MONDAY) == f"{uid(5)}:2026-W47"
    assert week_bounds(MONDAY) == (T0, WEEK_END)
