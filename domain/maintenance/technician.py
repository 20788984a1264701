"""The ``Technician`` profile aggregate and its weekly working hours.

A profile belongs to one user (``user_id``) whose role must be ``technician``; the
application layer checks the role (422 ``not_a_technician``) and the one-profile-per-user
rule (409). Working hours are weekly UTC windows; by default Monday to Friday,
08:00-17:00 UTC (``DEFAULT_WORKING_HOURS``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.maintenance.enums import ExperienceLevel
from domain.maintenance.events import TechnicianCreated
from domain.maintenance.validation import NAME_MAX, PHONE_MAX, SHORT_MAX, Checker, ensure_aware
from domain.shared.aggregate import Aggregate
from domain.shared.ids import new_id

Changes = dict[str, tuple[Any, Any]]
MINUTES_PER_DAY = 1440
WORKING_WINDOWS_MAX = 28
_PHONE_CHARS = frozenset("0123456789+-(). ")


@dataclass(frozen=True, slots=True, order=True)
class WorkingWindow:
    """One weekly working slot, in UTC: ``weekday`` 0 (Monday) .. 6 (Sunday), minutes since
    midnight ``[start_minute, end_minute)``; ``end_minute`` may be 1440 (24:00)."""

    weekday: int
    start_minute: int
    end_minute: int

    @classmethod
    def parse(cls, weekday: int, start: str, end: str) -> WorkingWindow:
        """``WorkingWindow.parse(0, "08:00", "17:00")``; raises ``ValueError`` on bad input."""
        window = cls(weekday, _parse_hhmm(start), _parse_hhmm(end))
        problem = window.problem()
        if problem:
            raise ValueError(problem)
        return window

    @property
    def start_text(self) -> str:
        return _format_hhmm(self.start_minute)

    @property
    def end_text(self) -> str:
        return _format_hhmm(self.end_minute)

    def problem(self) -> str | None:
        """Why this window is invalid, or ``None``."""
        if not 0 <= self.weekday <= 6:
            return "weekday must be between 0 (Monday) and 6 (Sunday)"
        if not 0 <= self.start_minute < self.end_minute <= MINUTES_PER_DAY:
            return "start must be before end, both within 00:00..24:00"
        return None


def _parse_hhmm(text: str) -> int:
    hours, sep, minutes = text.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"not a HH:MM time: {text!r}")
    return int(hours) * 60 + int(minutes)


def _format_hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


DEFAULT_WORKING_HOURS: tuple[WorkingWindow, ...] = tuple(
    WorkingWindow(day, 8 * 60, 17 * 60) for day in range(5)
)


def parse_working_hours(items: Iterable[tuple[int, str, str]]) -> tuple[WorkingWindow, ...]:
    """``[(weekday, "HH:MM", "HH:MM"), ...]`` -> windows; ``ValidationFailed`` on bad input
    (naming ``working_hours[i]``). Overlaps are checked by ``create``/``update``."""
    checker = Checker()
    windows: list[WorkingWindow] = []
    for index, (weekday, start, end) in enumerate(items):
        try:
            windows.append(WorkingWindow.parse(weekday, start, end))
        except ValueError as exc:
            checker.fail(f"working_hours[{index}]", str(exc))
    checker.raise_if_any()
    return tuple(windows)


def _check_windows(checker: Checker, value: object) -> tuple[WorkingWindow, ...]:
    if not isinstance(value, Iterable) or isinstance(value, str):
        checker.fail("working_hours", "must be a list of working windows")
        return DEFAULT_WORKING_HOURS
    items = list(value)
    if not all(isinstance(item, WorkingWindow) for item in items):
        checker.fail("working_hours", "must be a list of working windows")
        return DEFAULT_WORKING_HOURS
    windows: list[WorkingWindow] = sorted(items)
    if not windows or len(windows) > WORKING_WINDOWS_MAX:
        checker.fail("working_hours", f"must have 1 to {WORKING_WINDOWS_MAX} windows")
    for index, window in enumerate(windows):
        problem = window.problem()
        if problem:
            checker.fail(f"working_hours[{index}]", problem)
        elif (
            index
            and windows[index - 1].weekday == window.weekday
            and windows[index - 1].end_minute > window.start_minute
        ):
            checker.fail(f"working_hours[{index}]", "overlaps another window that day")
    return tuple(windows)


def _check_phone(checker: Checker, value: object) -> str | None:
    phone = checker.optional_text("phone", value, max_len=PHONE_MAX)
    if phone is not None and (len(phone) < 3 or not set(phone) <= _PHONE_CHARS):
        checker.fail("phone", "must be a phone number (digits, spaces, + - ( ) .)")
    return phone


_PARSERS: dict[str, Callable[[Checker, object], object]] = {
    "specialty": lambda c, v: c.optional_text("specialty", v, max_len=SHORT_MAX),
    "skills": lambda c, v: c.skills("skills", v),
    "experience_level": lambda c, v: c.choice("experience_level", v, ExperienceLevel),
    "available": lambda c, v: c.boolean("available", v),
    "phone": _check_phone,
    "base_location": lambda c, v: c.optional_text("base_location", v, max_len=NAME_MAX),
    "working_hours": _check_windows,
}
#: Fields ``update()`` accepts (PATCH /technicians/{id}); a technician editing their own
#: profile may only change ``available`` (checked by the application layer).
UPDATABLE_FIELDS: frozenset[str] = frozenset(_PARSERS)


@dataclass(kw_only=True, eq=False, slots=True)
class Technician(Aggregate):
    user_id: UUID
    specialty: str | None = None
    skills: tuple[str, ...] = ()
    experience_level: ExperienceLevel = ExperienceLevel.JUNIOR
    available: bool = True
    phone: str | None = None
    base_location: str | None = None
    working_hours: tuple[WorkingWindow, ...] = DEFAULT_WORKING_HOURS
    created_at: datetime
    updated_at: datetime

    @classmethod
    def create(
        cls,
        *,
        user_id: UUID,
        now: datetime,
        specialty: str | None = None,
        skills: Iterable[str] = (),
        experience_level: ExperienceLevel | str = ExperienceLevel.JUNIOR,
        available: bool = True,
        phone: str | None = None,
        base_location: str | None = None,
        working_hours: Iterable[WorkingWindow] | None = None,
        id: UUID | None = None,
    ) -> Technician:
        """Validate and build a profile; records ``TechnicianCreated``."""
        now = ensure_aware(now, "now")
        c = Checker()
        technician = cls(
            id=id or new_id(),
            user_id=c.uuid("user_id", user_id),
            specialty=c.optional_text("specialty", specialty, max_len=SHORT_MAX),
            skills=c.skills("skills", skills),
            experience_level=c.choice("experience_level", experience_level, ExperienceLevel),
            available=c.boolean("available", available),
            phone=_check_phone(c, phone),
            base_location=c.optional_text("base_location", base_location, max_len=NAME_MAX),
            working_hours=(
                DEFAULT_WORKING_HOURS if working_hours is None else _check_windows(c, working_hours)
            ),
            created_at=now,
            updated_at=now,
        )
        c.raise_if_any()
        technician.record(
            TechnicianCreated(occurred_at=now, technician_id=technician.id, user_id=user_id)
        )
        return technician

    def update(self, changes: Mapping[str, object], now: datetime) -> Changes:
        """Apply a PATCH atomically; return ``{field: (old, new)}`` of what really changed."""
        now = ensure_aware(now, "now")
        checker = Checker()
        parsed: dict[str, object] = {}
        for field, value in changes.items():
            if field not in _PARSERS:
                checker.fail(field, "cannot be changed")
                continue
            parsed[field] = _PARSERS[field](checker, value)
        checker.raise_if_any()
        diff: Changes = {
            field: (getattr(self, field), value)
            for field, value in parsed.items()
            if getattr(self, field) != value
        }
        for field, (_, new) in diff.items():
            setattr(self, field, new)
        if diff:
            self.updated_at = now
            self.version += 1
        return diff
