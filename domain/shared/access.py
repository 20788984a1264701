"""Who may do what: the API roles matrix, expressed once.

Every use case of every context asks this module (``allowed`` / ``require`` / ``authorize``)
instead of comparing role names. A :class:`Scope` answers *how far* a permission reaches:

* ``ALL``  - every row of the resource;
* ``OWN``  - only rows related to the actor; the use case decides what "related" means for its
  resource (the user themself, the equipment they own, the interventions assigned to them, the
  playbooks they own...) and passes ``owns=`` to :func:`authorize`;
* ``NONE`` - not at all.

Hidden rows are 404 and forbidden actions on visible rows are 403: :func:`authorize` raises
``NotFound`` when the actor may not even read the row and ``Forbidden`` when they may read it
but not perform the action.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from uuid import UUID

from domain.shared.errors import Forbidden, NotFound


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    TECHNICIAN = "technician"
    CLIENT = "client"


class Scope(Enum):
    NONE = 0
    OWN = 1
    ALL = 2

    def permits(self, *, owns: bool) -> bool:
        """True when this scope covers a row (``owns``: the row is related to the actor)."""
        return self is Scope.ALL or (self is Scope.OWN and owns)


class Resource(StrEnum):
    USERS = "users"
    TECHNICIANS = "technicians"
    EQUIPMENT = "equipment"
    INTERVENTIONS = "interventions"
    PLANNING = "planning"
    CALENDAR_FEEDS = "calendar_feeds"
    DOCUMENTS = "documents"
    NOTIFICATIONS = "notifications"
    DASHBOARD = "dashboard"
    AUDIT = "audit"
    PLAYBOOKS = "playbooks"
    PREFERENCES = "preferences"
    VARIABLE_TYPES = "variable_types"
    THEMES = "themes"
    CATEGORIES = "categories"
    COLOURS = "colours"
    IMAGES = "images"
    JOBS = "jobs"


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    MANAGE = "manage"  # users: change role / is_active
    ASSIGN = "assign"  # interventions: assign / unassign
    START = "start"
    COMPLETE = "complete"
    REPORT = "report"  # interventions: write the report
    CANCEL = "cancel"
    VALIDATE = "validate"  # variable types: validate a value


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated caller. ``session_id`` is the refresh family of their login, if any."""

    user_id: UUID
    role: Role
    session_id: UUID | None = None

    def is_self(self, user_id: UUID) -> bool:
        return self.user_id == user_id


_A, _O, _N = Scope.ALL, Scope.OWN, Scope.NONE
_CRUD = (Action.READ, Action.CREATE, Action.UPDATE, Action.DELETE)
_INTERVENTION_ACTIONS = (
    *_CRUD,
    Action.ASSIGN,
    Action.START,
    Action.COMPLETE,
    Action.REPORT,
    Action.CANCEL,
)

# The actions each resource knows; anything else is NONE for everybody.
_SPECIAL_ACTIONS: Mapping[Resource, tuple[Action, ...]] = {
    Resource.USERS: (*_CRUD, Action.MANAGE),
    Resource.INTERVENTIONS: _INTERVENTION_ACTIONS,
    Resource.VARIABLE_TYPES: (*_CRUD, Action.VALIDATE),
    Resource.DASHBOARD: (Action.READ,),
    Resource.AUDIT: (Action.READ,),
}
ACTIONS: Mapping[Resource, tuple[Action, ...]] = {
    r: _SPECIAL_ACTIONS.get(r, _CRUD) for r in Resource
}


def _every(resource: Resource, scope: Scope) -> dict[Action, Scope]:
    return dict.fromkeys(ACTIONS[resource], scope)


def _only(**scopes: Scope) -> dict[Action, Scope]:
    return {Action(name): scope for name, scope in scopes.items()}


_MANAGE_MEDIA = {
    r: {
        Role.ADMIN: _every(r, _A),
        Role.MANAGER: _every(r, _A),
        Role.TECHNICIAN: _only(read=_A),
        Role.CLIENT: _only(read=_A),
    }
    for r in (Resource.THEMES, Resource.CATEGORIES, Resource.COLOURS)
}

# images: "upload own; read public and own" -- OWN reads cover public images too (the media
# module decides what an image "related to the actor" is); owners may delete their own
_IMAGES = {
    Resource.IMAGES: {
        Role.ADMIN: _every(Resource.IMAGES, _A),
        Role.MANAGER: _every(Resource.IMAGES, _A),
        Role.TECHNICIAN: _only(read=_O, create=_O, delete=_O),
        Role.CLIENT: _only(read=_O, create=_O, delete=_O),
    }
}

_OWNED_BY_EACH = {
    r: {
        Role.ADMIN: _every(r, _A),
        Role.MANAGER: _every(r, _O),
        Role.TECHNICIAN: _every(r, _O),
        Role.CLIENT: _every(r, _O),
    }
    for r in (Resource.PLAYBOOKS, Resource.PREFERENCES, Resource.JOBS)
}

MATRIX: Mapping[Resource, Mapping[Role, Mapping[Action, Scope]]] = {
    Resource.USERS: {
        Role.ADMIN: _every(Resource.USERS, _A),
        # "create non-admin users": see ``grantable_roles``.
        Role.MANAGER: _only(read=_A, create=_A),
        Role.TECHNICIAN: _only(read=_O, update=_O),
        Role.CLIENT: _only(read=_O, update=_O),
    },
    Resource.TECHNICIANS: {
        Role.ADMIN: _every(Resource.TECHNICIANS, _A),
        Role.MANAGER: _every(Resource.TECHNICIANS, _A),
        # "read; update own profile availability"
        Role.TECHNICIAN: _only(read=_A, update=_O),
        Role.CLIENT: {},
    },
    Resource.EQUIPMENT: {
        Role.ADMIN: _every(Resource.EQUIPMENT, _A),
        Role.MANAGER: _every(Resource.EQUIPMENT, _A),
        Role.TECHNICIAN: _only(read=_A),
        Role.CLIENT: _only(read=_O),  # equipment whose owner_id is them
    },
    Resource.INTERVENTIONS: {
        Role.ADMIN: _every(Resource.INTERVENTIONS, _A),
        Role.MANAGER: _every(Resource.INTERVENTIONS, _A),
        # read all; start/complete/report only those assigned to them
        Role.TECHNICIAN: _only(read=_A, start=_O, complete=_O, report=_O),
        # create requests on own equipment; read own; cancel own while open
        Role.CLIENT: _only(read=_O, create=_O, cancel=_O),
    },
    Resource.PLANNING: {
        Role.ADMIN: _every(Resource.PLANNING, _A),
        Role.MANAGER: _every(Resource.PLANNING, _A),
        Role.TECHNICIAN: _only(read=_A),
        Role.CLIENT: {},
    },
    # a technician's secret iCalendar feed URL: create (issue, rotate), read (whether there
    # is one), delete (revoke); "own" is the feed of the technician's own profile
    Resource.CALENDAR_FEEDS: {
        Role.ADMIN: _every(Resource.CALENDAR_FEEDS, _A),
        Role.MANAGER: _every(Resource.CALENDAR_FEEDS, _A),
        Role.TECHNICIAN: _every(Resource.CALENDAR_FEEDS, _O),
        Role.CLIENT: {},
    },
    Resource.DOCUMENTS: {
        Role.ADMIN: _every(Resource.DOCUMENTS, _A),
        Role.MANAGER: _every(Resource.DOCUMENTS, _A),
        # upload/read on interventions they can read (technicians read every intervention)
        Role.TECHNICIAN: _only(read=_A, create=_A),
        Role.CLIENT: _only(read=_O),  # on their own interventions
    },
    Resource.NOTIFICATIONS: {role: _every(Resource.NOTIFICATIONS, _O) for role in Role},
    Resource.DASHBOARD: {
        Role.ADMIN: _only(read=_A),
        Role.MANAGER: _only(read=_A),
        Role.TECHNICIAN: {},
        Role.CLIENT: {},
    },
    Resource.AUDIT: {
        Role.ADMIN: _only(read=_A),
        Role.MANAGER: _only(read=_A),
        Role.TECHNICIAN: {},
        Role.CLIENT: {},
    },
    Resource.VARIABLE_TYPES: {
        Role.ADMIN: _every(Resource.VARIABLE_TYPES, _A),
        Role.MANAGER: _only(read=_A, validate=_A),
        Role.TECHNICIAN: _only(read=_A, validate=_A),
        Role.CLIENT: _only(read=_A, validate=_A),
    },
    **_MANAGE_MEDIA,
    **_IMAGES,
    **_OWNED_BY_EACH,
}

_GRANTABLE: Mapping[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset(Role),
    Role.MANAGER: frozenset({Role.MANAGER, Role.TECHNICIAN, Role.CLIENT}),
    Role.TECHNICIAN: frozenset(),
    Role.CLIENT: frozenset(),
}


def allowed(actor: Actor, resource: Resource, action: Action) -> Scope:
    """How far ``actor`` may perform ``action`` on ``resource``."""
    return MATRIX.get(resource, {}).get(actor.role, {}).get(action, Scope.NONE)


def require(actor: Actor, resource: Resource, action: Action) -> Scope:
    """The scope of the permission; ``Forbidden`` when there is none at all."""
    scope = allowed(actor, resource, action)
    if scope is Scope.NONE:
        raise Forbidden(f"You may not {action.value} {resource.value}.")
    return scope


def authorize(actor: Actor, resource: Resource, action: Action, *, owns: bool) -> None:
    """Check ``action`` on one row: ``NotFound`` when the row is hidden from the actor,
    ``Forbidden`` when it is visible but the action is not allowed on it."""
    if not allowed(actor, resource, Action.READ).permits(owns=owns):
        raise NotFound(f"No such {resource.value} item.")
    if not allowed(actor, resource, action).permits(owns=owns):
        raise Forbidden(f"You may not {action.value} this {resource.value} item.")


def grantable_roles(role: Role) -> frozenset[Role]:
    """The roles a user with ``role`` may give to users they create or edit."""
    return _GRANTABLE[role]
