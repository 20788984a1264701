"""Loading a playbook for an action: 404 when hidden from the caller, 403 when visible but
the action is not theirs."""

from __future__ import annotations

from uuid import UUID

from application.automation.ports import AutomationUnitOfWork
from domain.automation.playbook import Playbook
from domain.shared.access import Action, Actor, Resource, authorize
from domain.shared.errors import NotFound


async def load_playbook(
    uow: AutomationUnitOfWork, actor: Actor, playbook_id: UUID, action: Action
) -> Playbook:
    playbook = await uow.playbooks.get(playbook_id)
    if playbook is None:
        raise NotFound("No such playbook.")
    authorize(actor, Resource.PLAYBOOKS, action, owns=playbook.owner_id == actor.user_id)
    return playbook
