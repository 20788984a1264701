"""POST /themes: its category, colours and cover image must exist (422 naming the field)."""

from __future__ import annotations

from application.media.catalogue import (
    THEMES,
    check_theme_references,
    ensure_name_free,
    require_manage,
)
from application.media.commands import CreateThemeCommand
from application.media.ports import MediaUnitOfWork
from application.shared import audit
from application.shared.clock import Clock
from domain.media.catalogue import Theme
from domain.shared.access import Action


class CreateTheme:
    def __init__(self, uow: MediaUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: CreateThemeCommand) -> Theme:
        require_manage(command.actor, THEMES, Action.CREATE)
        now = self._clock.now()
        item = Theme.create(
            name=command.name,
            description=command.description,
            category_id=command.category_id,
            color_ids=command.color_ids,
            cover_image_id=command.cover_image_id,
            now=now,
        )
        async with self._uow as uow:
            await check_theme_references(uow, item)
            await ensure_name_free(uow, THEMES, item.name, None)
            await uow.themes.add(item)
            await audit.record(
                uow, actor=command.actor, entity_type=THEMES.entity_type, entity_id=item.id,
                action="create", changes=audit.created(audit.fields_of(item, THEMES.audited)),
                at=now,
            )  # fmt: skip
            await uow.commit()
        return item
