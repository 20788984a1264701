"""msgspec bodies and answers of the technician routes."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from application.maintenance.views import TechnicianView
from domain.maintenance.enums import ExperienceLevel
from domain.maintenance.technician import WorkingWindow, parse_working_hours
from entrypoints.http.maintenance.schemas.common import (
    PUBLIC_MODULE,
    HourMinute,
    OptionalShort,
    Phone,
    Place,
    Skills,
    Weekday,
)


class WorkingHours(msgspec.Struct, kw_only=True):
    weekday: Weekday
    """0 = Monday .. 6 = Sunday (UTC)."""
    start: HourMinute
    """``HH:MM``"""
    end: HourMinute
    """``HH:MM`` (``24:00`` allowed)"""

    @classmethod
    def of(cls, window: WorkingWindow) -> "WorkingHours":
        return cls(weekday=window.weekday, start=window.start_text, end=window.end_text)


WorkingHoursList = Annotated[list[WorkingHours], msgspec.Meta(max_length=28)]


def working_windows(items: list[WorkingHours]) -> tuple[WorkingWindow, ...]:
    return parse_working_hours((item.weekday, item.start, item.end) for item in items)


class TechnicianCreate(msgspec.Struct, kw_only=True):
    user_id: UUID
    specialty: OptionalShort | None = None
    skills: Skills = []
    experience_level: ExperienceLevel = ExperienceLevel.JUNIOR
    available: bool = True
    phone: Phone | None = None
    base_location: Place | None = None
    working_hours: WorkingHoursList | None = None


class TechnicianUpdate(msgspec.Struct, kw_only=True):
    specialty: OptionalShort | UnsetType | None = UNSET
    skills: Skills | UnsetType = UNSET
    experience_level: ExperienceLevel | UnsetType = UNSET
    available: bool | UnsetType = UNSET
    phone: Phone | UnsetType | None = UNSET
    base_location: Place | UnsetType | None = UNSET
    working_hours: WorkingHoursList | UnsetType = UNSET


class TechnicianRead(msgspec.Struct, kw_only=True):
    __module__ = PUBLIC_MODULE  # see common.PUBLIC_MODULE

    id: UUID
    user_id: UUID
    specialty: str | None
    skills: list[str]
    experience_level: ExperienceLevel
    available: bool
    phone: str | None
    base_location: str | None
    working_hours: list[WorkingHours]
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, v: TechnicianView) -> "TechnicianRead":
        return cls(
            id=v.id,
            user_id=v.user_id,
            specialty=v.specialty,
            skills=list(v.skills),
            experience_level=v.experience_level,
            available=v.available,
            phone=v.phone,
            base_location=v.base_location,
            working_hours=[WorkingHours.of(w) for w in v.working_hours],
            created_at=v.created_at,
            updated_at=v.updated_at,
            version=v.version,
        )
