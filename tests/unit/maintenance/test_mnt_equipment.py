from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.maintenance.enums import EquipmentStatus
from domain.maintenance.events import EquipmentDown, EquipmentRetired
from domain.shared.errors import Conflict, ValidationFailed

from .factories import T0, make_equipment, uid

aware_times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=150)
@given(
    installed=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    last=st.none() | aware_times,
    interval=st.none() | st.integers(min_value=1, max_value=3650),
)
def test_next_maintenance_derivation(
    installed: date | None, last: datetime | None, interval: int | None
) -> None:
    eq = make_equipment(
        installed_on=installed, last_maintenance_at=last, maintenance_interval_days=interval
    )
    if interval is None or (last is None and installed is None):
        assert eq.next_maintenance_at is None
        assert not eq.is_maintenance_due(T0)
        return
    base = last if last is not None else datetime.combine(installed, datetime.min.time(), UTC)  # type: ignore[arg-type]
    assert eq.next_maintenance_at == base + timedelta(days=interval)
    assert eq.is_maintenance_due(base + timedelta(days=interval))
    assert not eq.is_maintenance_due(base + timedelta(days=interval) - timedelta(seconds=1))


def test_installation_day_counts_from_midnight_utc() -> None:
    eq = make_equipment(installed_on=date(2026, 1, 1), maintenance_interval_days=30)
    assert eq.next_maintenance_at == datetime(2026, 1, 31, tzinfo=UTC)


@settings(max_examples=100)
@given(st.lists(aware_times, min_size=1, max_size=6))
def test_record_maintenance_only_moves_forward(moments: list[datetime]) -> None:
    eq = make_equipment(installed_on=date(2020, 1, 1), maintenance_interval_days=10)
    for moment in moments:
        eq.record_maintenance(moment)
    assert eq.last_maintenance_at == max(moments)
    assert eq.next_maintenance_at == max(moments) + timedelta(days=10)


def test_update_returns_changed_fields_and_bumps_version() -> None:
    eq = make_equipment(location="Shop A")
    later = T0 + timedelta(hours=1)
    diff = eq.update({"location": "Shop B", "name": eq.name, "model": "HPX"}, later)
    assert diff == {"location": ("Shop A", "Shop B"), "model": (None, "HPX")}
    assert eq.version == 2
    assert eq.updated_at == later
    assert eq.update({"location": "Shop B"}, later) == {}
    assert eq.version == 2


def test_update_is_atomic_on_validation_failure() -> None:
    eq = make_equipment()
    with pytest.raises(ValidationFailed) as exc:
        eq.update({"name": "ok", "maintenance_interval_days": 0, "id": uid(9)}, T0)
    assert {e.field for e in exc.value.errors} == {"maintenance_interval_days", "id"}
    assert eq.name == "Hydraulic press PH-001"
    assert eq.version == 1


def test_status_retired_cannot_be_patched() -> None:
    eq = make_equipment()
    with pytest.raises(ValidationFailed):
        eq.update({"status": "retired"}, T0)
    assert eq.status == EquipmentStatus.OPERATIONAL


def test_down_emits_event_once() -> None:
    eq = make_equipment(owner_id=uid(5))
    eq.update({"status": "down"}, T0)
    eq.update({"status": "down"}, T0)
    events = eq.pull_events()
    assert len(events) == 1
    assert isinstance(events[0], EquipmentDown)
    assert events[0].equipment_id == eq.id
    assert events[0].previous_status == "operational"
    assert events[0].owner_id == uid(5)


def test_retire_refused_while_interventions_are_open() -> None:
    eq = make_equipment()
    with pytest.raises(Conflict) as exc:
        eq.retire(2, T0)
    assert exc.value.code == "equipment_has_open_interventions"
    assert eq.status == EquipmentStatus.OPERATIONAL
    assert eq.retire(0, T0) == {"status": (EquipmentStatus.OPERATIONAL, EquipmentStatus.RETIRED)}
    assert [type(e) for e in eq.pull_events()] == [EquipmentRetired]
    assert eq.retire(0, T0) == {}
    assert not eq.is_maintenance_due(datetime(2100, 1, 1, tzinfo=UTC))


def test_retired_status_is_final() -> None:
    eq = make_equipment()
    eq.retire(0, T0)
    with pytest.raises(Conflict) as exc:
        eq.update({"status": "operational"}, T0)
    assert exc.value.code == "equipment_retired"


def test_create_validates() -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_equipment(
            name="", serial_number="\x00", status="retired", maintenance_interval_days=3651
        )
    assert {e.field for e in exc.value.errors} == {
        "name",
        "serial_number",
        "status",
        "maintenance_interval_days",
    }


def test_serial_is_stored_normalised() -> None:
    eq = make_equipment(serial_number="  ab  12 ")
    assert eq.serial_number == "ab 12"
    assert eq.serial_key == "ab12"
