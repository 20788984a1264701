from __future__ import annotations

from datetime import date

import pytest

from application.maintenance.commands import (
    CreateEquipmentCommand,
    EquipmentHistoryQuery,
    GetEquipmentQuery,
    ListEquipmentQuery,
    RetireEquipmentCommand,
    UpdateEquipmentCommand,
)
from application.maintenance.ports import EquipmentFilters
from application.maintenance.use_cases.create_equipment import CreateEquipment
from application.maintenance.use_cases.equipment_history import EquipmentHistory
from application.maintenance.use_cases.get_equipment import GetEquipment
from application.maintenance.use_cases.list_equipment import ListEquipment
from application.maintenance.use_cases.retire_equipment import RetireEquipment
from application.maintenance.use_cases.update_equipment import UpdateEquipment
from domain.maintenance.enums import EquipmentStatus
from domain.shared.access import Role
from domain.shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed

from .conftest import Kit


async def test_serial_numbers_are_unique_ignoring_case_and_blanks(kit: Kit) -> None:
    await kit.equipment(serial_number="AB 123")
    with pytest.raises(Conflict) as err:
        await kit.equipment(serial_number="ab123")
    assert err.value.code == "serial_taken"
    other = await kit.equipment(serial_number="ZZ-1")
    with pytest.raises(Conflict):
        await kit.run(
            UpdateEquipment,
            UpdateEquipmentCommand(
                actor=kit.admin, equipment_id=other.id, changes={"serial_number": "AB  123"}
            ),
        )


async def test_only_admins_and_managers_create(kit: Kit) -> None:
    for role in (Role.TECHNICIAN, Role.CLIENT):
        with pytest.raises(Forbidden):
            await kit.run(
                CreateEquipment,
                CreateEquipmentCommand(
                    actor=kit.actor(role), name="x", type="y", serial_number="z"
                ),
            )


async def test_clients_see_only_their_equipment(kit: Kit) -> None:
    client, stranger = kit.actor(Role.CLIENT), kit.actor(Role.CLIENT)
    mine = await kit.equipment(owner_id=client.user_id, location="Lyon")
    theirs = await kit.equipment(owner_id=stranger.user_id)
    got = await kit.run(GetEquipment, GetEquipmentQuery(actor=client, equipment_id=mine.id))
    assert got.id == mine.id
    with pytest.raises(NotFound):
        await kit.run(GetEquipment, GetEquipmentQuery(actor=client, equipment_id=theirs.id))
    page = await kit.run(ListEquipment, ListEquipmentQuery(actor=client))
    assert [e.id for e in page.items] == [mine.id]
    page = await kit.run(
        ListEquipment,
        ListEquipmentQuery(actor=client, filters=EquipmentFilters(owner_id=stranger.user_id)),
    )
    assert page.total == 0
    with pytest.raises(Forbidden):  # visible, but clients only read
        await kit.run(
            UpdateEquipment,
            UpdateEquipmentCommand(actor=client, equipment_id=mine.id, changes={"name": "n"}),
        )
    tech = kit.actor(Role.TECHNICIAN)
    page = await kit.run(ListEquipment, ListEquipmentQuery(actor=tech))
    assert page.total == 2


async def test_list_filters_and_maintenance_due(kit: Kit) -> None:
    due = await kit.equipment(
        name="Old press", type="Press", installed_on=date(2026, 1, 1), maintenance_interval_days=30
    )
    fresh = await kit.equipment(
        name="New lathe", type="Lathe", installed_on=date(2026, 11, 1), maintenance_interval_days=90
    )
    assert fresh.next_maintenance_at is not None
    page = await kit.run(
        ListEquipment,
        ListEquipmentQuery(actor=kit.manager, filters=EquipmentFilters(maintenance_due=True)),
    )
    assert [e.id for e in page.items] == [due.id]
    page = await kit.run(
        ListEquipment, ListEquipmentQuery(actor=kit.manager, filters=EquipmentFilters(type="lathe"))
    )
    assert [e.id for e in page.items] == [fresh.id]
    page = await kit.run(
        ListEquipment, ListEquipmentQuery(actor=kit.manager, filters=EquipmentFilters(q="PRESS"))
    )
    assert [e.id for e in page.items] == [due.id]
    page = await kit.run(ListEquipment, ListEquipmentQuery(actor=kit.manager, sort="-name"))
    assert [e.id for e in page.items] == [due.id, fresh.id]


async def test_update_status_but_not_retired_and_versions(kit: Kit) -> None:
    eq = await kit.equipment()
    down = await kit.run(
        UpdateEquipment,
        UpdateEquipmentCommand(
            actor=kit.manager, equipment_id=eq.id, changes={"status": "down"}, expected_version=1
        ),
    )
    assert down.status is EquipmentStatus.DOWN
    assert down.version == 2
    assert "EquipmentDown" in kit.publisher.names()
    with pytest.raises(ValidationFailed):
        await kit.run(
            UpdateEquipment,
            UpdateEquipmentCommand(
                actor=kit.manager, equipment_id=eq.id, changes={"status": "retired"}
            ),
        )
    with pytest.raises(PreconditionFailed):
        await kit.run(
            UpdateEquipment,
            UpdateEquipmentCommand(
                actor=kit.manager, equipment_id=eq.id, changes={"name": "x"}, expected_version=1
            ),
        )


async def test_retire_refused_while_interventions_are_open(kit: Kit) -> None:
    eq = await kit.equipment()
    await kit.intervention(eq.id)
    with pytest.raises(Conflict) as err:
        await kit.run(RetireEquipment, RetireEquipmentCommand(actor=kit.admin, equipment_id=eq.id))
    assert err.value.code == "equipment_has_open_interventions"
    got = await kit.run(GetEquipment, GetEquipmentQuery(actor=kit.admin, equipment_id=eq.id))
    assert got.status is EquipmentStatus.OPERATIONAL
    assert got.interventions_count == 1


async def test_retire_and_history(kit: Kit) -> None:
    eq = await kit.equipment()
    with pytest.raises(Forbidden):
        await kit.run(
            RetireEquipment,
            RetireEquipmentCommand(actor=kit.actor(Role.TECHNICIAN), equipment_id=eq.id),
        )
    await kit.run(RetireEquipment, RetireEquipmentCommand(actor=kit.admin, equipment_id=eq.id))
    got = await kit.run(GetEquipment, GetEquipmentQuery(actor=kit.admin, equipment_id=eq.id))
    assert got.status is EquipmentStatus.RETIRED
    with pytest.raises(Conflict):  # no new work on retired equipment
        await kit.intervention(eq.id)

    other = await kit.equipment()
    first = await kit.intervention(other.id, title="first")
    kit.clock.advance(minutes=5)
    second = await kit.intervention(other.id, title="second")
    page = await kit.run(
        EquipmentHistory, EquipmentHistoryQuery(actor=kit.manager, equipment_id=other.id)
    )
    assert [i.id for i in page.items] == [second.id, first.id]


async def test_concurrent_patches_with_one_version_one_wins(kit: Kit) -> None:
    import asyncio

    eq = await kit.equipment()
    results = await asyncio.gather(
        *(
            kit.run(
                UpdateEquipment,
                UpdateEquipmentCommand(
                    actor=kit.manager,
                    equipment_id=eq.id,
                    changes={"name": name},
                    expected_version=1,
                ),
            )
            for name in ("A", "B")
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, PreconditionFailed) for r in results) == 1
    winner = next(r for r in results if not isinstance(r, BaseException))
    got = await kit.run(GetEquipment, GetEquipmentQuery(actor=kit.admin, equipment_id=eq.id))
    assert got.name == winner.name
    assert got.version == 2


async def test_repository_save_guards_the_loaded_version(kit: Kit) -> None:
    eq = await kit.equipment()
    async with kit.uow() as uow:
        stale = await uow.equipment.get(eq.id)
    assert stale is not None
    await kit.run(
        UpdateEquipment,
        UpdateEquipmentCommand(actor=kit.manager, equipment_id=eq.id, changes={"name": "new"}),
    )
    async with kit.uow() as uow:
        stale.update({"name": "stale"}, stale.updated_at)
        with pytest.raises(PreconditionFailed):
            await uow.equipment.save(stale, expected_version=1)
