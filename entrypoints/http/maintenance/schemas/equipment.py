"""msgspec bodies and answers of the equipment routes."""

from datetime import date, datetime
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from application.maintenance.views import EquipmentView
from domain.maintenance.enums import EquipmentStatus
from entrypoints.http.maintenance.schemas.common import (
    PUBLIC_MODULE,
    Instant,
    IntervalDays,
    Name,
    OptionalShort,
    Place,
    Short,
)


class EquipmentCreate(msgspec.Struct, kw_only=True):
    name: Name
    type: Short
    serial_number: Short
    model: OptionalShort | None = None
    location: Place | None = None
    owner_id: UUID | None = None
    installed_on: date | None = None
    maintenance_interval_days: IntervalDays | None = None
    status: EquipmentStatus = EquipmentStatus.OPERATIONAL
    last_maintenance_at: Instant | None = None


class EquipmentUpdate(msgspec.Struct, kw_only=True):
    name: Name | UnsetType = UNSET
    type: Short | UnsetType = UNSET
    serial_number: Short | UnsetType = UNSET
    model: OptionalShort | UnsetType | None = UNSET
    location: Place | UnsetType | None = UNSET
    owner_id: UUID | UnsetType | None = UNSET
    installed_on: date | UnsetType | None = UNSET
    maintenance_interval_days: IntervalDays | UnsetType | None = UNSET
    status: EquipmentStatus | UnsetType = UNSET
    """Any status but ``retired`` (DELETE retires)."""


class EquipmentRead(msgspec.Struct, kw_only=True):
    __module__ = PUBLIC_MODULE  # see common.PUBLIC_MODULE

    id: UUID
    name: str
    type: str
    model: str | None
    serial_number: str
    location: str | None
    owner_id: UUID | None
    installed_on: date | None
    maintenance_interval_days: int | None
    status: EquipmentStatus
    last_maintenance_at: datetime | None
    next_maintenance_at: datetime | None
    interventions_count: int
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, v: EquipmentView) -> "EquipmentRead":
        return cls(
            id=v.id,
            name=v.name,
            type=v.type,
            model=v.model,
            serial_number=v.serial_number,
            location=v.location,
            owner_id=v.owner_id,
            installed_on=v.installed_on,
            maintenance_interval_days=v.maintenance_interval_days,
            status=v.status,
            last_maintenance_at=v.last_maintenance_at,
            next_maintenance_at=v.next_maintenance_at,
            interventions_count=v.interventions_count,
            version=v.version,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )
