"""POST /categories (names are unique: 409 ``name_taken``)."""

from __future__ import annotations

from application.media.catalogue import CATEGORIES, ensure_name_free, require_manage
from application.media.commands import CreateCategoryCommand
from application.media.ports import MediaUnitOfWork
from application.shared import audit
from application.shared.clock import Clock
from domain.media.catalogue import Category
from domain.shared.access import Action


class CreateCategory:
    def __init__(self, uow: MediaUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: CreateCategoryCommand) -> Category:
        require_manage(command.actor, CATEGORIES, Action.CREATE)
        now = self._clock.now()
        item = Category.create(name=command.name, description=command.description, now=now)
        async with self._uow as uow:
            await ensure_name_free(uow, CATEGORIES, item.name, None)
            await uow.categories.add(item)
            await audit.record(
                uow, actor=command.actor, entity_type=CATEGORIES.entity_type, entity_id=item.id,
                action="create", changes=audit.created(audit.fields_of(item, CATEGORIES.audited)),
                at=now,
            )  # fmt: skip
            await uow.commit()
        return item
