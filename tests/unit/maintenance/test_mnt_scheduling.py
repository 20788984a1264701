from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.maintenance.scheduling import (
    ScheduleConflict,
    ScheduledInPast,
    ScheduleEntry,
    availability,
    ensure_no_conflict,
    ensure_not_in_past,
    find_conflict,
    free_windows,
    is_available,
    overlapping_pairs,
    working_intervals,
)
from domain.maintenance.technician import WorkingWindow
from domain.shared.errors import ValidationFailed

from .factories import (
    T0,
    at,
    durations,
    entry,
    make_technician,
    minutes_in_week,
    schedule_entries,
    uid,
)


@settings(max_examples=200)
@given(a_start=minutes_in_week, a_len=durations, b_start=minutes_in_week, b_len=durations)
def test_overlap_is_symmetric_and_half_open(
    a_start: int, a_len: int, b_start: int, b_len: int
) -> None:
    a = entry(1, T0 + timedelta(minutes=a_start), a_len, 1)
    b = entry(1, T0 + timedelta(minutes=b_start), b_len, 2)
    expected = a_start < b_start + b_len and b_start < a_start + a_len
    assert a.overlaps(b) == b.overlaps(a) == expected
    assert (find_conflict(a, [b]) is not None) == expected
    assert (find_conflict(b, [a]) is not None) == expected


@settings(max_examples=100)
@given(start=minutes_in_week, first=durations, second=durations)
def test_touching_entries_never_clash(start: int, first: int, second: int) -> None:
    a = entry(1, T0 + timedelta(minutes=start), first, 1)
    b = entry(1, a.ends_at, second, 2)
    assert not a.overlaps(b)
    assert find_conflict(b, [a]) is None
    ensure_no_conflict(b, [a])


def test_other_technicians_and_self_never_clash() -> None:
    a = entry(1, at(0, 9), 60, 1)
    assert find_conflict(entry(2, at(0, 9), 60, 2), [a]) is None
    assert find_conflict(a.rescheduled(at(0, 9, 30), 60), [a]) is None


def test_conflict_error_names_the_clashing_entry() -> None:
    existing = [entry(1, at(0, 9), 120, 1), entry(1, at(0, 8), 90, 2)]
    candidate = entry(1, at(0, 9), 30, 3)
    with pytest.raises(ScheduleConflict) as exc:
        ensure_no_conflict(candidate, existing)
    clashing = existing[1]  # the earliest clash
    assert exc.value.code == "schedule_conflict"
    assert exc.value.extra["conflicting_entry_id"] == str(clashing.id)
    assert str(clashing.id) in exc.value.detail
    assert str(clashing.intervention_id) in exc.value.detail


@settings(max_examples=150)
@given(schedule_entries(techs=2, max_size=8))
def test_overlapping_pairs_matches_brute_force(entries: list[ScheduleEntry]) -> None:
    found = {frozenset((a.id, b.id)) for a, b in overlapping_pairs(entries)}
    expected = {
        frozenset((a.id, b.id))
        for i, a in enumerate(entries)
        for b in entries[i + 1 :]
        if a.technician_id == b.technician_id and a.overlaps(b)
    }
    assert found == expected
    assert len(found) == len(overlapping_pairs(entries))


def test_working_hours_and_is_available() -> None:
    tech = make_technician()
    assert is_available(tech, at(0, 8), at(0, 17))
    assert not is_available(tech, at(0, 7, 59), at(0, 9))
    assert not is_available(tech, at(0, 16), at(0, 17, 1))
    assert not is_available(tech, at(5, 9), at(5, 10))  # Saturday
    tech.update({"available": False}, T0)
    assert not is_available(tech, at(0, 9), at(0, 10))


def test_windows_spanning_midnight_join() -> None:
    tech = make_technician(
        working_hours=[
            WorkingWindow.parse(0, "20:00", "24:00"),
            WorkingWindow.parse(1, "00:00", "04:00"),
        ]
    )
    assert is_available(tech, at(0, 22), at(1, 2))
    assert working_intervals(tech.working_hours, at(0, 0), at(2, 0))[0].minutes == 8 * 60


@settings(max_examples=60)
@given(
    entries=schedule_entries(techs=1, max_size=6),
    start=minutes_in_week,
    span=st.integers(min_value=60, max_value=2 * 1440),
)
def test_free_windows_are_exactly_working_time_minus_busy(
    entries: list[ScheduleEntry], start: int, span: int
) -> None:
    tech = make_technician(id=uid(1))
    begin = T0 + timedelta(minutes=start)
    end = begin + timedelta(minutes=span)
    free = free_windows(tech, entries, begin, end)
    for earlier, later in pairwise(free):
        assert earlier.ends_at < later.starts_at  # sorted, disjoint, maximal
    work = working_intervals(tech.working_hours, begin, end)
    for minute in range(span):
        moment = begin + timedelta(minutes=minute)
        working = any(w.starts_at <= moment < w.ends_at for w in work)
        busy = any(e.starts_at <= moment < e.ends_at for e in entries)
        is_free = any(w.starts_at <= moment < w.ends_at for w in free)
        assert is_free == (working and not busy), moment


def test_availability_lists_busy_and_free() -> None:
    tech = make_technician(id=uid(1))
    busy = entry(1, at(0, 10), 60)
    result = availability(tech, [busy], at(0, 0), at(1, 0))
    assert result.busy == (busy,)
    assert [(w.starts_at, w.ends_at) for w in result.free] == [
        (at(0, 8), at(0, 10)),
        (at(0, 11), at(0, 17)),
    ]
    tech.update({"available": False}, T0)
    away = availability(tech, [busy], at(0, 0), at(1, 0))
    assert (away.available, away.busy, away.free) == (False, (busy,), ())
    with pytest.raises(ValidationFailed):
        availability(tech, [], at(1, 0), at(0, 0))
    with pytest.raises(ValidationFailed):
        availability(tech, [], at(0, 0), at(100, 0))


@given(
    offset_seconds=st.integers(min_value=-3 * 86400, max_value=3 * 86400),
    grace_minutes=st.integers(min_value=0, max_value=120),
)
def test_a_slot_may_not_start_before_now_minus_the_grace(
    offset_seconds: int, grace_minutes: int
) -> None:
    now = T0 + timedelta(hours=10)
    grace = timedelta(minutes=grace_minutes)
    starts_at = now + timedelta(seconds=offset_seconds)
    if starts_at >= now - grace:
        ensure_not_in_past(starts_at, now, grace)  # the boundary itself is allowed
        return
    with pytest.raises(ScheduledInPast) as err:
        ensure_not_in_past(starts_at, now, grace)
    assert err.value.code == "scheduled_in_past"
    assert [e.field for e in err.value.errors] == ["scheduled_at"]
    assert str(err.value.extra["earliest_allowed"]).endswith("Z")


def test_the_past_rule_names_the_field_it_is_given() -> None:
    with pytest.raises(ScheduledInPast) as err:
        ensure_not_in_past(T0, T0 + timedelta(hours=1), timedelta(0), field="starts_at")
    assert err.value.errors[0].field == "starts_at"
    assert isinstance(err.value, ValidationFailed)  # 422
