"""POST /colors (unique names: 409 ``name_taken``; ``hex`` is ``#RRGGBB``, else 422)."""

from __future__ import annotations

from application.media.catalogue import COLORS, ensure_name_free, require_manage
from application.media.commands import CreateColorCommand
from application.media.ports import MediaUnitOfWork
from application.shared import audit
from application.shared.clock import Clock
from domain.media.catalogue import Color
from domain.shared.access import Action


class CreateColor:
    def __init__(self, uow: MediaUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: CreateColorCommand) -> Color:
        require_manage(command.actor, COLORS, Action.CREATE)
        now = self._clock.now()
        item = Color.create(name=command.name, hex=command.hex, now=now)
        async with self._uow as uow:
            await ensure_name_free(uow, COLORS, item.name, None)
            await uow.colors.add(item)
            await audit.record(
                uow, actor=command.actor, entity_type=COLORS.entity_type, entity_id=item.id,
                action="create", changes=audit.created(audit.fields_of(item, COLORS.audited)),
                at=now,
            )  # fmt: skip
            await uow.commit()
        return item
