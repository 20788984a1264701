"""The roles matrix of API.md, transcribed independently and checked cell by cell."""

from __future__ import annotations

import uuid

import pytest

from domain.shared.access import (
    ACTIONS,
    Action,
    Actor,
    Resource,
    Role,
    Scope,
    allowed,
    authorize,
    grantable_roles,
    require,
)
from domain.shared.errors import Forbidden, NotFound

CRUD = "read create update delete"
ALL_CRUD = " ".join(f"{a}:all" for a in CRUD.split())
OWN_CRUD = " ".join(f"{a}:own" for a in CRUD.split())
OWN_IMAGES = "read:own create:own delete:own"
INTERVENTION_ALL = ALL_CRUD + " assign:all start:all complete:all report:all cancel:all"

# resource -> (admin, manager, technician, client); "action:scope" words, missing = none.
TABLE: dict[str, tuple[str, str, str, str]] = {
    "users": (
        ALL_CRUD + " manage:all",
        "read:all create:all",
        "read:own update:own",
        "read:own update:own",
    ),
    "technicians": (ALL_CRUD, ALL_CRUD, "read:all update:own", ""),
    "equipment": (ALL_CRUD, ALL_CRUD, "read:all", "read:own"),
    "interventions": (
        INTERVENTION_ALL,
        INTERVENTION_ALL,
        "read:all start:own complete:own report:own",
        "create:own read:own cancel:own",
    ),
    "planning": (ALL_CRUD, ALL_CRUD, "read:all", ""),
    "calendar_feeds": (ALL_CRUD, ALL_CRUD, OWN_CRUD, ""),  # the technician's own feed
    "documents": (ALL_CRUD, ALL_CRUD, "create:all read:all", "read:own"),
    "notifications": (OWN_CRUD, OWN_CRUD, OWN_CRUD, OWN_CRUD),
    "dashboard": ("read:all", "read:all", "", ""),
    "audit": ("read:all", "read:all", "", ""),
    "playbooks": (ALL_CRUD, OWN_CRUD, OWN_CRUD, OWN_CRUD),
    "preferences": (ALL_CRUD, OWN_CRUD, OWN_CRUD, OWN_CRUD),
    "variable_types": (
        ALL_CRUD + " validate:all", "read:all validate:all", "read:all validate:all",
        "read:all validate:all",
    ),
    "themes": (ALL_CRUD, ALL_CRUD, "read:all", "read:all"),
    "categories": (ALL_CRUD, ALL_CRUD, "read:all", "read:all"),
    "colours": (ALL_CRUD, ALL_CRUD, "read:all", "read:all"),
    # "upload own; read public and own": own reads include public images (the media module
    # decides); owners may delete their own uploads
    "images": (ALL_CRUD, ALL_CRUD, OWN_IMAGES, OWN_IMAGES),
    "jobs": (ALL_CRUD, OWN_CRUD, OWN_CRUD, OWN_CRUD),
}  # fmt: skip
ROLES = (Role.ADMIN, Role.MANAGER, Role.TECHNICIAN, Role.CLIENT)
SCOPES = {"all": Scope.ALL, "own": Scope.OWN}


def _expected(resource: str, role: Role, action: Action) -> Scope:
    cell = TABLE[resource][ROLES.index(role)]
    for word in cell.split():
        name, scope = word.split(":")
        if name == action.value:
            return SCOPES[scope]
    return Scope.NONE


CASES = [(resource, role, action) for resource in Resource for role in Role for action in Action]


def test_the_table_covers_every_resource() -> None:
    assert set(TABLE) == {r.value for r in Resource}


@pytest.mark.parametrize(("resource", "role", "action"), CASES)
def test_matrix_cell(resource: Resource, role: Role, action: Action) -> None:
    actor = Actor(uuid.uuid4(), role)
    assert allowed(actor, resource, action) is _expected(resource.value, role, action)


def test_actions_outside_a_resource_are_never_allowed() -> None:
    admin = Actor(uuid.uuid4(), Role.ADMIN)
    assert allowed(admin, Resource.DASHBOARD, Action.DELETE) is Scope.NONE
    assert Action.MANAGE not in ACTIONS[Resource.EQUIPMENT]
    assert allowed(admin, Resource.EQUIPMENT, Action.MANAGE) is Scope.NONE


def test_require_raises_forbidden_without_any_scope() -> None:
    client = Actor(uuid.uuid4(), Role.CLIENT)
    with pytest.raises(Forbidden):
        require(client, Resource.PLANNING, Action.READ)
    assert require(client, Resource.EQUIPMENT, Action.READ) is Scope.OWN


def test_authorize_hides_rows_the_actor_cannot_read() -> None:
    client = Actor(uuid.uuid4(), Role.CLIENT)
    with pytest.raises(NotFound):
        authorize(client, Resource.INTERVENTIONS, Action.CANCEL, owns=False)
    authorize(client, Resource.INTERVENTIONS, Action.CANCEL, owns=True)


def test_authorize_forbids_actions_on_visible_rows() -> None:
    technician = Actor(uuid.uuid4(), Role.TECHNICIAN)
    with pytest.raises(Forbidden):
        authorize(technician, Resource.INTERVENTIONS, Action.START, owns=False)
    with pytest.raises(Forbidden):
        authorize(technician, Resource.INTERVENTIONS, Action.ASSIGN, owns=True)
    authorize(technician, Resource.INTERVENTIONS, Action.START, owns=True)


@pytest.mark.parametrize(
    ("role", "grantable"),
    [
        (Role.ADMIN, set(Role)),
        (Role.MANAGER, {Role.MANAGER, Role.TECHNICIAN, Role.CLIENT}),
        (Role.TECHNICIAN, set()),
        (Role.CLIENT, set()),
    ],
)
def test_grantable_roles(role: Role, grantable: set[Role]) -> None:
    assert grantable_roles(role) == grantable
