from __future__ import annotations

from datetime import timedelta

import pytest

from domain.maintenance.enums import ExperienceLevel
from domain.maintenance.events import TechnicianCreated
from domain.maintenance.technician import (
    DEFAULT_WORKING_HOURS,
    WorkingWindow,
    parse_working_hours,
)
from domain.shared.errors import ValidationFailed

from .factories import T0, make_technician, uid


def test_create_normalises_and_records_event() -> None:
    tech = make_technician(skills=["HVAC", "hvac ", "Welding"], experience_level="senior")
    assert tech.skills == ("hvac", "welding")
    assert tech.experience_level is ExperienceLevel.SENIOR
    assert tech.working_hours == DEFAULT_WORKING_HOURS
    (event,) = tech.pull_events()
    assert isinstance(event, TechnicianCreated)
    assert (event.technician_id, event.user_id) == (tech.id, uid(1))


def test_default_hours_are_weekdays_eight_to_five() -> None:
    assert [(w.weekday, w.start_text, w.end_text) for w in DEFAULT_WORKING_HOURS] == [
        (day, "08:00", "17:00") for day in range(5)
    ]


def test_update_diff_and_version() -> None:
    tech = make_technician()
    diff = tech.update({"available": False, "skills": ["Hydraulics"]}, T0 + timedelta(hours=1))
    assert diff == {"available": (True, False)}
    assert tech.version == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"experience_level": "guru"}, "experience_level"),
        ({"available": "yes"}, "available"),
        ({"phone": "call me"}, "phone"),
        ({"skills": "hydraulics"}, "skills"),
        ({"user_id": uid(3)}, "user_id"),
        ({"working_hours": []}, "working_hours"),
        ({"working_hours": [WorkingWindow(0, 600, 500)]}, "working_hours[0]"),
        (
            {"working_hours": [WorkingWindow(0, 480, 720), WorkingWindow(0, 700, 900)]},
            "working_hours[1]",
        ),
    ],
)
def test_update_refuses(changes: dict[str, object], field: str) -> None:
    tech = make_technician()
    with pytest.raises(ValidationFailed) as exc:
        tech.update(changes, T0)
    assert field in {e.field for e in exc.value.errors}
    assert tech.version == 1


def test_working_window_parse() -> None:
    window = WorkingWindow.parse(6, "22:00", "24:00")
    assert (window.start_minute, window.end_minute, window.end_text) == (1320, 1440, "24:00")
    with pytest.raises(ValueError, match="HH:MM"):
        WorkingWindow.parse(0, "8h", "17:00")
    with pytest.raises(ValueError, match="before"):
        WorkingWindow.parse(0, "17:00", "08:00")


def test_parse_working_hours() -> None:
    assert parse_working_hours([(5, "09:00", "12:30")]) == (WorkingWindow(5, 540, 750),)
    with pytest.raises(ValidationFailed) as exc:
        parse_working_hours([(0, "08:00", "17:00"), (7, "08:00", "09:00"), (1, "x", "09:00")])
    assert [e.field for e in exc.value.errors] == ["working_hours[1]", "working_hours[2]"]
