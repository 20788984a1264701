"""User management under the roles matrix."""

from __future__ import annotations

import uuid

import pytest

from application.identity.ports import UserFilters
from application.identity.use_cases.deactivate_user import DeactivateUserCommand
from application.identity.use_cases.list_users import ListUsersQuery
from application.identity.use_cases.refresh import RefreshCommand
from application.identity.use_cases.update_user import UpdateUserCommand
from domain.shared.access import Actor, Role
from domain.shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    RuleViolated,
    Unauthenticated,
    ValidationFailed,
)
from tests.unit.identity.conftest import Kit


async def _people(kit: Kit) -> dict[Role, Actor]:
    actors = {}
    for role in Role:
        user = await kit.seed_user(f"{role.value}@example.org", role)
        actors[role] = Actor(user.id, role)
    return actors


async def test_admin_lists_filters_sorts_and_pages(kit: Kit) -> None:
    people = await _people(kit)
    page = await kit.list_users()(ListUsersQuery(actor=people[Role.ADMIN], sort="-email"))
    assert page.total == 4
    assert page.limit == 50
    assert page.offset == 0
    assert [u.email for u in page.items] == sorted((u.email for u in page.items), reverse=True)
    techs = await kit.list_users()(
        ListUsersQuery(actor=people[Role.ADMIN], filters=UserFilters(role=Role.TECHNICIAN))
    )
    assert [u.role for u in techs.items] == [Role.TECHNICIAN]
    found = await kit.list_users()(
        ListUsersQuery(actor=people[Role.MANAGER], filters=UserFilters(q="  MANAGER@ "))
    )
    assert [u.email for u in found.items] == ["manager@example.org"]
    window = await kit.list_users()(
        ListUsersQuery(actor=people[Role.ADMIN], limit=2, offset=3, sort="email")
    )
    assert window.total == 4
    assert [u.email for u in window.items] == ["technician@example.org"]


async def test_limits_are_capped_and_validated(kit: Kit) -> None:
    people = await _people(kit)
    page = await kit.list_users()(ListUsersQuery(actor=people[Role.ADMIN], limit=10_000))
    assert page.limit == 200
    with pytest.raises(ValidationFailed):
        await kit.list_users()(ListUsersQuery(actor=people[Role.ADMIN], offset=-1))
    with pytest.raises(ValidationFailed):
        await kit.list_users()(ListUsersQuery(actor=people[Role.ADMIN], sort="password_hash"))


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.CLIENT])
async def test_others_see_only_themselves(kit: Kit, role: Role) -> None:
    people = await _people(kit)
    me = people[role]
    with pytest.raises(Forbidden):  # the collection is for admins and managers
        await kit.list_users()(ListUsersQuery(actor=me))
    assert (await kit.get_user()(me, me.user_id)).id == me.user_id
    with pytest.raises(NotFound):
        await kit.get_user()(me, people[Role.ADMIN].user_id)
    with pytest.raises(Forbidden):  # visible row, forbidden action
        await kit.update_user()(UpdateUserCommand(actor=me, user_id=me.user_id, role=Role.ADMIN))
    with pytest.raises(NotFound):
        await kit.deactivate_user()(
            DeactivateUserCommand(actor=me, user_id=people[Role.ADMIN].user_id)
        )


async def test_self_service_rename(kit: Kit) -> None:
    people = await _people(kit)
    me = people[Role.CLIENT]
    view = await kit.update_user()(
        UpdateUserCommand(actor=me, user_id=me.user_id, first_name="Zoé", expected_version=1)
    )
    assert view.first_name == "Zoé"
    assert view.version == 2
    assert (await kit.me()(me)).first_name == "Zoé"


async def test_manager_creates_non_admins_only(kit: Kit) -> None:
    people = await _people(kit)
    manager = people[Role.MANAGER]
    created = await kit.create_user()(
        kit.create_command(manager, "new@example.org", Role.TECHNICIAN)
    )
    assert created.role is Role.TECHNICIAN
    with pytest.raises(Forbidden):
        await kit.create_user()(kit.create_command(manager, "boss@example.org", Role.ADMIN))
    with pytest.raises(Conflict):
        await kit.create_user()(kit.create_command(manager, "NEW@example.org", Role.CLIENT))
    with pytest.raises(Forbidden):
        await kit.create_user()(
            kit.create_command(people[Role.TECHNICIAN], "x@example.org", Role.CLIENT)
        )
    with pytest.raises(Forbidden):  # managers read users but do not edit them
        await kit.update_user()(
            UpdateUserCommand(actor=manager, user_id=created.id, first_name="Nope")
        )


async def test_admin_creates_an_admin(kit: Kit) -> None:
    people = await _people(kit)
    made = await kit.create_user()(
        kit.create_command(people[Role.ADMIN], "root@example.org", Role.ADMIN)
    )
    assert made.role is Role.ADMIN


async def test_stale_version_is_refused_and_changes_nothing(kit: Kit) -> None:
    people = await _people(kit)
    target = people[Role.CLIENT].user_id
    with pytest.raises(PreconditionFailed):
        await kit.update_user()(
            UpdateUserCommand(
                actor=people[Role.ADMIN], user_id=target, role=Role.MANAGER, expected_version=7
            )
        )
    assert (await kit.get_user()(people[Role.ADMIN], target)).role is Role.CLIENT


async def test_unknown_user_is_not_found(kit: Kit) -> None:
    people = await _people(kit)
    with pytest.raises(NotFound):
        await kit.get_user()(people[Role.ADMIN], uuid.uuid4())
    with pytest.raises(NotFound):
        await kit.update_user()(
            UpdateUserCommand(actor=people[Role.ADMIN], user_id=uuid.uuid4(), first_name="X")
        )


async def test_admin_cannot_demote_or_deactivate_themselves(kit: Kit) -> None:
    people = await _people(kit)
    admin = people[Role.ADMIN]
    with pytest.raises(RuleViolated):
        await kit.update_user()(
            UpdateUserCommand(actor=admin, user_id=admin.user_id, role=Role.CLIENT)
        )
    with pytest.raises(RuleViolated):
        await kit.deactivate_user()(DeactivateUserCommand(actor=admin, user_id=admin.user_id))


async def test_deactivation_revokes_sessions_and_blocks_login(kit: Kit) -> None:
    await _people(kit)
    admin_pair = await kit.sign_in("admin@example.org")
    victim = await kit.sign_in("client@example.org")
    kit.clock.advance(seconds=1)
    await kit.deactivate_user()(
        DeactivateUserCommand(
            actor=await kit.actor(admin_pair), user_id=victim.user.id, expected_version=1
        )
    )
    with pytest.raises(Unauthenticated):
        await kit.actor(victim)
    with pytest.raises(Unauthenticated):
        await kit.refresh()(RefreshCommand(refresh_token=victim.refresh_token))
    with pytest.raises(Unauthenticated):
        await kit.sign_in("client@example.org")
    page = await kit.list_users()(
        ListUsersQuery(actor=await kit.actor(admin_pair), filters=UserFilters(is_active=False))
    )
    assert [u.email for u in page.items] == ["client@example.org"]
    # reactivation through PATCH lets them in again
    await kit.update_user()(
        UpdateUserCommand(actor=await kit.actor(admin_pair), user_id=victim.user.id, is_active=True)
    )
    kit.clock.advance(seconds=1)
    assert (await kit.sign_in("client@example.org")).access_token
