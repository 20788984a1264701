from __future__ import annotations

from datetime import timedelta

import pytest

from application.maintenance.commands import (
    CreateTechnicianCommand,
    GetTechnicianQuery,
    ListTechniciansQuery,
    TechnicianAvailabilityQuery,
    UpdateTechnicianCommand,
)
from application.maintenance.ports import TechnicianFilters
from application.maintenance.use_cases.create_technician import CreateTechnician
from application.maintenance.use_cases.get_technician import GetTechnician
from application.maintenance.use_cases.list_technicians import ListTechnicians
from application.maintenance.use_cases.technician_availability import (
    GetTechnicianAvailability,
)
from application.maintenance.use_cases.update_technician import UpdateTechnician
from domain.maintenance.enums import ExperienceLevel
from domain.shared.access import Role
from domain.shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    RuleViolated,
    UnknownReference,
    ValidationFailed,
)
from domain.shared.ids import new_id

from .conftest import Kit, at


async def test_create_requires_an_existing_technician_user(kit: Kit) -> None:
    client = kit.actor(Role.CLIENT)
    with pytest.raises(RuleViolated) as err:
        await kit.run(
            CreateTechnician, CreateTechnicianCommand(actor=kit.admin, user_id=client.user_id)
        )
    assert err.value.code == "not_a_technician"
    assert [e.field for e in err.value.errors] == ["user_id"]
    with pytest.raises(UnknownReference) as unknown:
        await kit.run(CreateTechnician, CreateTechnicianCommand(actor=kit.admin, user_id=new_id()))
    assert unknown.value.code == "unknown_reference"
    assert [e.field for e in unknown.value.errors] == ["user_id"]


async def test_one_profile_per_user(kit: Kit) -> None:
    actor, view = await kit.technician(skills=["Hydraulics"], experience_level="senior")
    assert view.skills == ("hydraulics",)
    assert view.experience_level is ExperienceLevel.SENIOR
    with pytest.raises(Conflict) as err:
        await kit.run(
            CreateTechnician, CreateTechnicianCommand(actor=kit.manager, user_id=actor.user_id)
        )
    assert err.value.code == "technician_exists"


async def test_only_admins_and_managers_create(kit: Kit) -> None:
    tech_user = kit.actor(Role.TECHNICIAN)
    for role in (Role.TECHNICIAN, Role.CLIENT):
        with pytest.raises(Forbidden):
            await kit.run(
                CreateTechnician,
                CreateTechnicianCommand(actor=kit.actor(role), user_id=tech_user.user_id),
            )


async def test_get_and_list_with_filters_and_roles(kit: Kit) -> None:
    _, a = await kit.technician(
        skills=["hydraulics"], specialty="Presses", experience_level="expert"
    )
    tech, b = await kit.technician(skills=["electrical"], available=False)
    got = await kit.run(GetTechnician, GetTechnicianQuery(actor=tech, technician_id=a.id))
    assert got == a
    page = await kit.run(
        ListTechnicians,
        ListTechniciansQuery(actor=tech, filters=TechnicianFilters(skill=" Hydraulics ")),
    )
    assert [t.id for t in page.items] == [a.id]
    assert page.total == 1
    page = await kit.run(
        ListTechnicians,
        ListTechniciansQuery(actor=kit.manager, filters=TechnicianFilters(available=False)),
    )
    assert [t.id for t in page.items] == [b.id]
    page = await kit.run(
        ListTechnicians,
        ListTechniciansQuery(
            actor=kit.manager,
            filters=TechnicianFilters(specialty="presses", level=ExperienceLevel.EXPERT),
        ),
    )
    assert [t.id for t in page.items] == [a.id]
    page = await kit.run(
        ListTechnicians, ListTechniciansQuery(actor=kit.manager, sort="-experience_level", limit=1)
    )
    assert [t.id for t in page.items] == [a.id]
    assert page.total == 2
    assert page.limit == 1
    client = kit.actor(Role.CLIENT)
    with pytest.raises(Forbidden):
        await kit.run(ListTechnicians, ListTechniciansQuery(actor=client))
    with pytest.raises(NotFound):
        await kit.run(GetTechnician, GetTechnicianQuery(actor=client, technician_id=a.id))
    with pytest.raises(ValidationFailed):
        await kit.run(ListTechnicians, ListTechniciansQuery(actor=kit.admin, sort="password"))


async def test_technician_updates_only_own_availability(kit: Kit) -> None:
    me, mine = await kit.technician()
    _, other = await kit.technician()
    done = await kit.run(
        UpdateTechnician,
        UpdateTechnicianCommand(
            actor=me, technician_id=mine.id, changes={"available": False}, expected_version=1
        ),
    )
    assert done.available is False
    assert done.version == 2
    with pytest.raises(Forbidden):
        await kit.run(
            UpdateTechnician,
            UpdateTechnicianCommand(actor=me, technician_id=mine.id, changes={"skills": ["x"]}),
        )
    with pytest.raises(Forbidden):
        await kit.run(
            UpdateTechnician,
            UpdateTechnicianCommand(actor=me, technician_id=other.id, changes={"available": False}),
        )
    managed = await kit.run(
        UpdateTechnician,
        UpdateTechnicianCommand(
            actor=kit.manager, technician_id=other.id, changes={"skills": ["PLC", "welding"]}
        ),
    )
    assert managed.skills == ("plc", "welding")


async def test_stale_version_is_refused_and_changes_nothing(kit: Kit) -> None:
    _, tech = await kit.technician()
    command = UpdateTechnicianCommand(
        actor=kit.manager, technician_id=tech.id, changes={"phone": "+33 1 23"}, expected_version=1
    )
    await kit.run(UpdateTechnician, command)
    with pytest.raises(PreconditionFailed):
        await kit.run(UpdateTechnician, command)
    got = await kit.run(GetTechnician, GetTechnicianQuery(actor=kit.admin, technician_id=tech.id))
    assert got.version == 2
    assert got.phone == "+33 1 23"


async def test_availability_lists_free_windows_and_limits_the_range(kit: Kit) -> None:
    _, tech = await kit.technician()
    result = await kit.run(
        GetTechnicianAvailability,
        TechnicianAvailabilityQuery(
            actor=kit.manager, technician_id=tech.id, starts_at=at(0, 0), ends_at=at(1, 0)
        ),
    )
    assert result.busy == ()
    assert [(w.starts_at, w.ends_at) for w in result.free] == [(at(0, 8), at(0, 17))]
    with pytest.raises(ValidationFailed):
        await kit.run(
            GetTechnicianAvailability,
            TechnicianAvailabilityQuery(
                actor=kit.manager,
                technician_id=tech.id,
                starts_at=at(0, 0),
                ends_at=at(0, 0) + timedelta(days=32),
            ),
        )
    with pytest.raises(ValidationFailed):
        await kit.run(
            GetTechnicianAvailability,
            TechnicianAvailabilityQuery(
                actor=kit.manager, technician_id=tech.id, starts_at=at(1, 0), ends_at=at(0, 0)
            ),
        )
