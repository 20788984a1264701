"""PATCH /categories/{id}, /colors/{id}, /themes/{id}: ``If-Match`` honoured (412), names
stay unique (409 ``name_taken``), a theme's new references must exist (422)."""

from __future__ import annotations

from typing import Any

from application.media.catalogue import (
    THEMES,
    Kind,
    check_theme_references,
    ensure_name_free,
    load,
    repository,
    require_manage,
)
from application.media.commands import UpdateItemCommand
from application.media.ports import MediaUnitOfWork
from application.shared import audit
from application.shared.clock import Clock
from domain.shared.access import Action


class UpdateItem:
    def __init__(self, uow: MediaUnitOfWork, clock: Clock, kind: Kind) -> None:
        self._uow, self._clock, self._kind = uow, clock, kind

    async def __call__(self, command: UpdateItemCommand) -> Any:
        kind = self._kind
        require_manage(command.actor, kind, Action.UPDATE)
        async with self._uow as uow:
            item = await load(uow, kind, command.item_id)
            item.check_version(command.expected_version)
            loaded = item.version
            now = self._clock.now()
            diff = item.update(command.changes, now)
            if not diff:
                return item
            if kind is THEMES:
                await check_theme_references(uow, item, set(diff))
            if "name" in diff:
                await ensure_name_free(uow, kind, item.name, item.id)
            await repository(uow, kind).save(item, expected_version=loaded)
            await audit.record(
                uow, actor=command.actor, entity_type=kind.entity_type, entity_id=item.id,
                action="update", changes=diff, at=now,
            )  # fmt: skip
            await uow.commit()
        return item
