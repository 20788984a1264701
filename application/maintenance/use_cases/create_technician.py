"""POST /technicians: a profile for a user whose role is technician (one per user).

``user_id`` of no user is 422 ``unknown_reference``; a user who is not an active technician
is 422 ``not_a_technician``; both name ``user_id``."""

from __future__ import annotations

from application.maintenance import audit
from application.maintenance.commands import CreateTechnicianCommand
from application.maintenance.ports import ENTITY_TECHNICIAN, MaintenanceUnitOfWork, UserDirectory
from application.maintenance.views import TechnicianView
from application.shared.clock import Clock
from domain.maintenance.technician import Technician
from domain.shared.access import Action, Actor, Resource, Role, require
from domain.shared.errors import DuplicateValue, FieldError, RuleViolated, UnknownReference


class CreateTechnician:
    def __init__(self, uow: MaintenanceUnitOfWork, users: UserDirectory, clock: Clock) -> None:
        self._uow, self._users, self._clock = uow, users, clock

    async def __call__(self, command: CreateTechnicianCommand) -> TechnicianView:
        actor: Actor = command.actor
        require(actor, Resource.TECHNICIANS, Action.CREATE)
        now = self._clock.now()
        technician = Technician.create(
            user_id=command.user_id,
            now=now,
            specialty=command.specialty,
            skills=command.skills,
            experience_level=command.experience_level,
            available=command.available,
            phone=command.phone,
            base_location=command.base_location,
            working_hours=command.working_hours,
        )
        user = await self._users.get_user(command.user_id)
        if user is None:
            raise UnknownReference("user_id", "user")
        if user.role != Role.TECHNICIAN or not user.is_active:
            raise RuleViolated(
                "The user is not an active user with the technician role.",
                code="not_a_technician",
                errors=[FieldError("user_id", "not an active technician")],
            )
        async with self._uow as uow:
            if await uow.technicians.get_by_user(command.user_id) is not None:
                raise DuplicateValue(
                    ["user_id"],
                    "This user already has a technician profile.",
                    code="technician_exists",
                )
            await uow.technicians.add(technician)
            view = TechnicianView.of(technician)
            await audit.record(
                uow,
                actor=actor,
                entity_type=ENTITY_TECHNICIAN,
                entity_id=technician.id,
                action="create",
                changes=audit.created(_fields(view)),
                at=now,
            )
            await uow.commit()
        return view


def _fields(view: TechnicianView) -> dict[str, object]:
    return {
        "user_id": view.user_id,
        "specialty": view.specialty,
        "skills": view.skills,
        "experience_level": view.experience_level,
        "available": view.available,
        "phone": view.phone,
        "base_location": view.base_location,
        "working_hours": view.working_hours,
    }
