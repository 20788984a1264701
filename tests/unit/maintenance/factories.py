"""Builders and Hypothesis strategies shared by the maintenance domain tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from hypothesis import strategies as st

from domain.maintenance.enums import ExperienceLevel, Priority
from domain.maintenance.equipment import Equipment
from domain.maintenance.intervention import Intervention
from domain.maintenance.scheduling import ScheduleEntry
from domain.maintenance.technician import Technician

#: A Monday.
MONDAY = date(2026, 11, 16)
T0 = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """``day`` 0 = Monday 2026-11-16 (UTC)."""
    return T0 + timedelta(days=day, hours=hour, minutes=minute)


def uid(n: int) -> UUID:
    return UUID(int=n)


def make_equipment(**overrides: Any) -> Equipment:
    values: dict[str, Any] = {
        "name": "Hydraulic press PH-001",
        "type": "Press",
        "serial_number": "PH001-2023-001",
        "now": T0,
    }
    values.update(overrides)
    return Equipment.create(**values)


def make_technician(**overrides: Any) -> Technician:
    values: dict[str, Any] = {"user_id": uid(1), "now": T0, "skills": ["hydraulics"]}
    values.update(overrides)
    return Technician.create(**values)


def make_intervention(**overrides: Any) -> Intervention:
    values: dict[str, Any] = {
        "title": "Hydraulic leak",
        "equipment_id": uid(100),
        "created_by": uid(200),
        "now": T0,
    }
    values.update(overrides)
    return Intervention.create(**values)


def entry(tech: int, start: datetime, minutes: int, n: int = 0) -> ScheduleEntry:
    return ScheduleEntry.create(
        intervention_id=uid(10_000 + n),
        technician_id=uid(tech),
        starts_at=start,
        estimated_minutes=minutes,
        id=uid(20_000 + n),
    )


# -- strategies ---------------------------------------------------------------------------
minutes_in_week = st.integers(min_value=0, max_value=7 * 24 * 60)
durations = st.integers(min_value=1, max_value=600)
SKILL_POOL = ["hydraulics", "electrical", "pneumatics", "welding", "hvac", "press", "plc"]
skill_sets = st.lists(st.sampled_from(SKILL_POOL), max_size=5, unique=True)
levels = st.sampled_from(list(ExperienceLevel))
priorities = st.sampled_from(list(Priority))


@st.composite
def schedule_entries(draw: st.DrawFn, techs: int = 2, max_size: int = 8) -> list[ScheduleEntry]:
    count = draw(st.integers(min_value=0, max_value=max_size))
    return [
        entry(
            draw(st.integers(min_value=1, max_value=techs)),
            T0 + timedelta(minutes=draw(minutes_in_week)),
            draw(durations),
            n,
        )
        for n in range(count)
    ]
