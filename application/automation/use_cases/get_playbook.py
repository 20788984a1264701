"""GET /playbooks/{id} (owner or administrator; 404 for anyone else)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.automation.ports import AutomationUnitOfWork
from application.automation.use_cases._guards import load_playbook
from application.automation.views import PlaybookView
from domain.shared.access import Action, Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class GetPlaybookQuery:
    actor: Actor
    playbook_id: UUID


class GetPlaybook:
    def __init__(self, uow: AutomationUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: GetPlaybookQuery) -> PlaybookView:
        async with self._uow as uow:
            playbook = await load_playbook(uow, query.actor, query.playbook_id, Action.READ)
        return PlaybookView.of(playbook)
