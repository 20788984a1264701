"""The ``Equipment`` aggregate.

Construct with ``Equipment.create(...)`` (validates, records nothing); the plain constructor is
for repositories rehydrating stored rows. ``serial_number`` uniqueness is the repository's job:
compare ``serial_number_key(...)`` (see ``validation``) and raise ``Conflict(code="serial_taken")``.

Every call that changes something sets ``updated_at = now`` and bumps ``version`` by one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from domain.maintenance.enums import EquipmentStatus
from domain.maintenance.events import EquipmentDown, EquipmentRetired
from domain.maintenance.validation import (
    INTERVAL_DAYS_MAX,
    INTERVAL_DAYS_MIN,
    NAME_MAX,
    SHORT_MAX,
    Checker,
    ensure_aware,
    normalise_serial_number,
    serial_number_key,
)
from domain.shared.aggregate import Aggregate
from domain.shared.errors import Conflict
from domain.shared.ids import new_id

Changes = dict[str, tuple[Any, Any]]

_PARSERS: dict[str, Callable[[Checker, object], object]] = {
    "name": lambda c, v: c.text("name", v, max_len=NAME_MAX),
    "type": lambda c, v: c.text("type", v, max_len=SHORT_MAX),
    "model": lambda c, v: c.optional_text("model", v, max_len=SHORT_MAX),
    "serial_number": lambda c, v: normalise_serial_number(
        c.text("serial_number", v, max_len=SHORT_MAX)
    ),
    "location": lambda c, v: c.optional_text("location", v, max_len=NAME_MAX),
    "owner_id": lambda c, v: c.optional_uuid("owner_id", v),
    "installed_on": lambda c, v: c.optional_date("installed_on", v),
    "maintenance_interval_days": lambda c, v: c.optional_integer(
        "maintenance_interval_days", v, low=INTERVAL_DAYS_MIN, high=INTERVAL_DAYS_MAX
    ),
    "status": lambda c, v: c.choice("status", v, EquipmentStatus),
}
#: Fields ``update()`` accepts (PATCH /equipment/{id}).
UPDATABLE_FIELDS: frozenset[str] = frozenset(_PARSERS)


@dataclass(kw_only=True, eq=False, slots=True)
class Equipment(Aggregate):
    name: str
    type: str
    serial_number: str
    model: str | None = None
    location: str | None = None
    owner_id: UUID | None = None
    installed_on: date | None = None
    maintenance_interval_days: int | None = None
    status: EquipmentStatus = EquipmentStatus.OPERATIONAL
    last_maintenance_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    # -- factory ------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        *,
        name: str,
        type: str,
        serial_number: str,
        now: datetime,
        model: str | None = None,
        location: str | None = None,
        owner_id: UUID | None = None,
        installed_on: date | None = None,
        maintenance_interval_days: int | None = None,
        status: EquipmentStatus | str = EquipmentStatus.OPERATIONAL,
        last_maintenance_at: datetime | None = None,
        id: UUID | None = None,
    ) -> Equipment:
        """Validate and build a new equipment (never ``retired``)."""
        now = ensure_aware(now, "now")
        c = Checker()
        equipment = cls(
            id=id or new_id(),
            name=c.text("name", name, max_len=NAME_MAX),
            type=c.text("type", type, max_len=SHORT_MAX),
            serial_number=normalise_serial_number(
                c.text("serial_number", serial_number, max_len=SHORT_MAX)
            ),
            model=c.optional_text("model", model, max_len=SHORT_MAX),
            location=c.optional_text("location", location, max_len=NAME_MAX),
            owner_id=c.optional_uuid("owner_id", owner_id),
            installed_on=c.optional_date("installed_on", installed_on),
            maintenance_interval_days=c.optional_integer(
                "maintenance_interval_days",
                maintenance_interval_days,
                low=INTERVAL_DAYS_MIN,
                high=INTERVAL_DAYS_MAX,
            ),
            status=c.choice("status", status, EquipmentStatus),
            last_maintenance_at=c.optional_timestamp("last_maintenance_at", last_maintenance_at),
            created_at=now,
            updated_at=now,
        )
        if equipment.is_retired:
            c.fail("status", "new equipment cannot be retired")
        c.raise_if_any()
        return equipment

    # -- derived values -----------------------------------------------------------------
    @property
    def serial_key(self) -> str:
        return serial_number_key(self.serial_number)

    @property
    def next_maintenance_at(self) -> datetime | None:
        """Last maintenance (else installation day at 00:00 UTC) + the interval; ``None``
        without an interval or without either base date."""
        if self.maintenance_interval_days is None:
            return None
        base = self.last_maintenance_at
        if base is None and self.installed_on is not None:
            base = datetime.combine(self.installed_on, time(0), tzinfo=UTC)
        if base is None:
            return None
        return base + timedelta(days=self.maintenance_interval_days)

    def is_maintenance_due(self, now: datetime) -> bool:
        """Due when ``next_maintenance_at <= now`` (retired equipment is never due)."""
        due = self.next_maintenance_at
        return self.status != EquipmentStatus.RETIRED and due is not None and due <= now

    @property
    def is_retired(self) -> bool:
        return self.status == EquipmentStatus.RETIRED

    # -- behaviour ----------------------------------------------------------------------
    def update(self, changes: Mapping[str, object], now: datetime) -> Changes:
        """Apply a PATCH atomically; return ``{field: (old, new)}`` of what really changed.

        ``status`` may not be set to ``retired`` (``ValidationFailed``; use ``retire``), and a
        retired equipment's status cannot change (``Conflict`` code ``equipment_retired``).
        Moving to ``down`` records ``EquipmentDown``.
        """
        now = ensure_aware(now, "now")
        checker = Checker()
        parsed: dict[str, object] = {}
        for field, value in changes.items():
            if field not in _PARSERS:
                checker.fail(field, "cannot be changed")
                continue
            parsed[field] = _PARSERS[field](checker, value)
        if parsed.get("status") == EquipmentStatus.RETIRED:
            checker.fail("status", "cannot be set to retired; retire (DELETE) the equipment")
        checker.raise_if_any()
        diff: Changes = {
            field: (getattr(self, field), value)
            for field, value in parsed.items()
            if getattr(self, field) != value
        }
        if "status" in diff and self.is_retired:
            raise Conflict("A retired equipment cannot change status.", code="equipment_retired")
        if not diff:
            return diff
        previous_status = self.status
        for field, (_, new) in diff.items():
            setattr(self, field, new)
        self._touch(now)
        if "status" in diff and self.status == EquipmentStatus.DOWN:
            self.record(
                EquipmentDown(
                    occurred_at=now,
                    equipment_id=self.id,
                    equipment_name=self.name,
                    location=self.location,
                    owner_id=self.owner_id,
                    previous_status=previous_status.value,
                )
            )
        return diff

    def retire(self, open_interventions_count: int, now: datetime) -> Changes:
        """Retire (DELETE). ``Conflict(code="equipment_has_open_interventions")`` while any
        intervention is open, planned or in progress. Retiring twice changes nothing."""
        now = ensure_aware(now, "now")
        if open_interventions_count > 0:
            raise Conflict(
                f"The equipment still has {open_interventions_count} open intervention(s).",
                code="equipment_has_open_interventions",
                extra={"open_interventions": open_interventions_count},
            )
        if self.is_retired:
            return {}
        diff: Changes = {"status": (self.status, EquipmentStatus.RETIRED)}
        self.status = EquipmentStatus.RETIRED
        self._touch(now)
        self.record(
            EquipmentRetired(
                occurred_at=now,
                equipment_id=self.id,
                equipment_name=self.name,
                owner_id=self.owner_id,
            )
        )
        return diff

    def record_maintenance(self, completed_at: datetime) -> Changes:
        """A maintenance was completed: ``last_maintenance_at`` moves forward (never back), and
        so does the derived ``next_maintenance_at``."""
        completed_at = ensure_aware(completed_at, "completed_at")
        old = self.last_maintenance_at
        if old is not None and old >= completed_at:
            return {}
        self.last_maintenance_at = completed_at
        self._touch(max(completed_at, self.updated_at))
        return {"last_maintenance_at": (old, completed_at)}

    def _touch(self, now: datetime) -> None:
        self.updated_at = now
        self.version += 1
