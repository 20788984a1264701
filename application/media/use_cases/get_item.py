"""GET /categories/{id}, /colors/{id}, /themes/{id} (every role reads the catalogue)."""

from __future__ import annotations

from typing import Any

from application.media.catalogue import Kind, load
from application.media.commands import ItemQuery
from application.media.ports import MediaUnitOfWork
from domain.shared.access import Action, require


class GetItem:
    def __init__(self, uow: MediaUnitOfWork, kind: Kind) -> None:
        self._uow, self._kind = uow, kind

    async def __call__(self, query: ItemQuery) -> Any:
        require(query.actor, self._kind.resource, Action.READ)
        async with self._uow as uow:
            return await load(uow, self._kind, query.item_id)
