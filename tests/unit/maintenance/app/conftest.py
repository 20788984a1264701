"""Maintenance use cases wired on the memory adapters and a fixed clock."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any
from uuid import UUID

import pytest

from adapters.clock import FixedClock
from adapters.persistence.memory.audit import MemoryAuditTrail
from adapters.persistence.memory.maintenance import (
    MemoryDashboardReader,
    MemoryMaintenanceUnitOfWork,
)
from adapters.persistence.memory.store import MemoryStore
from application.maintenance.commands import (
    CreateEquipmentCommand,
    CreateInterventionCommand,
    CreateTechnicianCommand,
)
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.ports import DirectoryUser, UserDirectory
from application.maintenance.use_cases.create_equipment import CreateEquipment
from application.maintenance.use_cases.create_intervention import CreateIntervention
from application.maintenance.use_cases.create_technician import CreateTechnician
from application.maintenance.views import EquipmentView, InterventionView, TechnicianView
from domain.identity.user import User
from domain.shared.access import Actor, Role
from domain.shared.events import DomainEvent
from domain.shared.ids import new_id

#: Monday 2026-11-16, 07:00 UTC (before the default working hours 08:00-17:00).
START = datetime(2026, 11, 16, 7, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """``day`` 0 = Monday 2026-11-16 (UTC)."""
    return datetime(2026, 11, 16, tzinfo=UTC) + timedelta(days=day, hours=hour, minutes=minute)


class FakeUsers(UserDirectory):
    def __init__(self) -> None:
        self.roles: dict[UUID, Role] = {}
        self.names: dict[UUID, str] = {}

    async def get_role(self, user_id: UUID) -> Role | None:
        return self.roles.get(user_id)

    async def get_user(self, user_id: UUID) -> DirectoryUser | None:
        role = self.roles.get(user_id)
        if role is None:
            return None
        first, _, last = self.names.get(user_id, "Test User").partition(" ")
        return DirectoryUser(
            id=user_id, role=role, is_active=True, first_name=first, last_name=last
        )

    async def manager_ids(self) -> Sequence[UUID]:
        return [u for u, r in self.roles.items() if r == Role.MANAGER]


class RecordingPublisher:
    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        self.events.extend(events)

    def names(self) -> list[str]:
        return [e.name for e in self.events]


_serials = count(1)


@dataclass
class Kit:
    store: MemoryStore = field(default_factory=MemoryStore)
    clock: FixedClock = field(default_factory=lambda: FixedClock(START))
    users: FakeUsers = field(default_factory=FakeUsers)
    publisher: RecordingPublisher = field(default_factory=RecordingPublisher)
    policy: MaintenancePolicy = field(default_factory=MaintenancePolicy)

    def __post_init__(self) -> None:
        self.admin = self.actor(Role.ADMIN)
        self.manager = self.actor(Role.MANAGER)

    def uow(self) -> MemoryMaintenanceUnitOfWork:
        return MemoryMaintenanceUnitOfWork(self.store, self.publisher)

    def make(self, cls: type[Any]) -> Any:
        """A use case with a fresh unit of work, as the container builds one per request."""
        deps = {
            "uow": self.uow(),
            "users": self.users,
            "clock": self.clock,
            "policy": self.policy,
            "reader": MemoryDashboardReader(self.store),
            "trail": MemoryAuditTrail(self.store),
            "documents": None,  # the documents module's port (not installed here)
        }
        names = [n for n in inspect.signature(cls.__init__).parameters if n != "self"]
        return cls(**{n: deps[n] for n in names})

    async def run(self, cls: type[Any], command: Any) -> Any:
        return await self.make(cls)(command)

    def actor(self, role: Role, *, first_name: str = "Test", last_name: str = "User") -> Actor:
        """A user of ``role``: in the directory and in the store's ``users`` table (the
        memory twins refuse references to users that do not exist, as SQL does)."""
        actor = Actor(user_id=new_id(), role=role)
        self.users.roles[actor.user_id] = role
        self.users.names[actor.user_id] = f"{first_name} {last_name}"
        user = User.register(
            email=f"{actor.user_id.hex}@example.org",
            first_name=first_name,
            last_name=last_name,
            role=role,
            password_hash="x",
            now=START,
        )
        user.id = actor.user_id
        user.pull_events()
        self.store.tables.setdefault("users", {})[actor.user_id] = user
        return actor

    async def technician(self, **kw: Any) -> tuple[Actor, TechnicianView]:
        actor = self.actor(Role.TECHNICIAN)
        view = await self.run(
            CreateTechnician,
            CreateTechnicianCommand(actor=self.admin, user_id=actor.user_id, **kw),
        )
        return actor, view

    async def equipment(self, **kw: Any) -> EquipmentView:
        values: dict[str, Any] = {
            "name": "Hydraulic press",
            "type": "press",
            "serial_number": f"SN-{next(_serials):05d}",
        }
        values.update(kw)
        return await self.run(CreateEquipment, CreateEquipmentCommand(actor=self.admin, **values))  # type: ignore[no-any-return]

    async def intervention(
        self, equipment_id: UUID, actor: Actor | None = None, **kw: Any
    ) -> InterventionView:
        values: dict[str, Any] = {"title": "Hydraulic leak"}
        values.update(kw)
        return await self.run(  # type: ignore[no-any-return]
            CreateIntervention,
            CreateInterventionCommand(
                actor=actor or self.manager, equipment_id=equipment_id, **values
            ),
        )


@pytest.fixture
def kit() -> Kit:
    return Kit()
