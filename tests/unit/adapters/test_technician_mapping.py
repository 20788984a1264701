"""The technician mapping's shared weeks: equal stored hours map to one tuple."""

from __future__ import annotations

from adapters.persistence.sqlalchemy.maintenance import mapping
from domain.maintenance.technician import WorkingWindow


def test_equal_weeks_map_to_one_tuple_and_different_weeks_do_not() -> None:
    stored = [[day, 480, 1020] for day in range(5)]
    first = mapping.working_hours(stored)
    again = mapping.working_hours([list(window) for window in stored])
    other = mapping.working_hours([[5, 0, 1440]])
    assert first == tuple(WorkingWindow(day, 480, 1020) for day in range(5))
    assert again is first
    assert other == (WorkingWindow(5, 0, 1440),)
    assert other is not first


def test_the_shared_weeks_stay_bounded() -> None:
    for minute in range(mapping._WEEKS_MAX + 10):
        assert mapping.working_hours([[0, minute, minute + 1]]) == (
            WorkingWindow(0, minute, minute + 1),
        )
    assert len(mapping._WEEKS) <= mapping._WEEKS_MAX
