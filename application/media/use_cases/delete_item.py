"""DELETE /categories/{id}, /colors/{id}, /themes/{id}: 409 ``category_in_use`` /
``color_in_use`` while a theme refers to it; ``If-Match`` honoured (412)."""

from __future__ import annotations

from application.media.catalogue import Kind, load, repository, require_manage
from application.media.commands import DeleteItemCommand
from application.media.ports import MediaUnitOfWork
from application.shared import audit
from application.shared.clock import Clock
from domain.shared.access import Action
from domain.shared.errors import Conflict


class DeleteItem:
    def __init__(self, uow: MediaUnitOfWork, clock: Clock, kind: Kind) -> None:
        self._uow, self._clock, self._kind = uow, clock, kind

    async def __call__(self, command: DeleteItemCommand) -> None:
        kind = self._kind
        require_manage(command.actor, kind, Action.DELETE)
        async with self._uow as uow:
            item = await load(uow, kind, command.item_id)
            item.check_version(command.expected_version)
            if kind.usage is not None:
                using = await uow.themes.count_using(**{kind.usage: item.id})
                if using:
                    raise Conflict(
                        f"{using} theme(s) use this {kind.noun}.",
                        code=kind.in_use_code,
                        extra={"themes": using},
                    )
            await repository(uow, kind).delete(item.id)
            await audit.record(
                uow, actor=command.actor, entity_type=kind.entity_type, entity_id=item.id,
                action="delete", changes={f: (getattr(item, f), None) for f in kind.audited},
                at=self._clock.now(),
            )  # fmt: skip
            await uow.commit()
