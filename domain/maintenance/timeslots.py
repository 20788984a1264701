"""Time arithmetic of the planning: half-open windows and weekly working hours.

Every interval is half-open ``[start, end)``: two intervals that merely touch (one ends when
the other starts) do **not** overlap; any overlap does. All datetimes are UTC-aware.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.maintenance.technician import WorkingWindow


@dataclass(frozen=True, slots=True, order=True)
class TimeWindow:
    starts_at: datetime
    ends_at: datetime

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def overlaps(self, other: TimeWindow) -> bool:
        return overlaps(self.starts_at, self.ends_at, other.starts_at, other.ends_at)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open overlap test: touching intervals do not overlap."""
    return a_start < b_end and b_start < a_end


def working_intervals(
    windows: Iterable[WorkingWindow], start: datetime, end: datetime
) -> list[TimeWindow]:
    """The concrete working time within ``[start, end)``, merged (touching windows join)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    by_day: dict[int, list[WorkingWindow]] = {}
    for window in windows:
        by_day.setdefault(window.weekday, []).append(window)
    raw: list[TimeWindow] = []
    day = start.date() - timedelta(days=1)
    while day <= end.date():
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        for window in by_day.get(day.weekday(), ()):
            s = max(start, midnight + timedelta(minutes=window.start_minute))
            e = min(end, midnight + timedelta(minutes=window.end_minute))
            if s < e:
                raw.append(TimeWindow(s, e))
        day += timedelta(days=1)
    return merge_windows(raw)


def merge_windows(windows: Iterable[TimeWindow]) -> list[TimeWindow]:
    merged: list[TimeWindow] = []
    for w in sorted(windows):
        if merged and w.starts_at <= merged[-1].ends_at:
            last = merged[-1]
            merged[-1] = TimeWindow(last.starts_at, max(last.ends_at, w.ends_at))
        else:
            merged.append(w)
    return merged


def within_working_hours(
    windows: Iterable[WorkingWindow], starts_at: datetime, ends_at: datetime
) -> bool:
    """True when all of ``[starts_at, ends_at)`` is working time."""
    if ends_at <= starts_at:
        return False
    intervals = working_intervals(windows, starts_at, ends_at)
    return intervals == [TimeWindow(starts_at.astimezone(UTC), ends_at.astimezone(UTC))]
