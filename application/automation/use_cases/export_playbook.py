"""GET /playbooks/{id}/export: the content as YAML that parses back to the same document."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from application.automation.ports import AutomationUnitOfWork, YamlCodec
from application.automation.use_cases._guards import load_playbook
from application.automation.views import PlaybookExport
from domain.shared.access import Action, Actor

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def filename_for(name: str) -> str:
    """A portable file name: ASCII letters, digits, dot, dash, underscore; ``.yml``."""
    stem = _UNSAFE.sub("-", name).strip("-.")[:100] or "playbook"
    return f"{stem}.yml"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportPlaybookQuery:
    actor: Actor
    playbook_id: UUID


class ExportPlaybook:
    def __init__(self, uow: AutomationUnitOfWork, yaml: YamlCodec) -> None:
        self._uow, self._yaml = uow, yaml

    async def __call__(self, query: ExportPlaybookQuery) -> PlaybookExport:
        async with self._uow as uow:
            playbook = await load_playbook(uow, query.actor, query.playbook_id, Action.READ)
        return PlaybookExport(
            filename=filename_for(playbook.name), yaml=self._yaml.dump(playbook.content)
        )
