"""``IdentityUserDirectory``: identity's published ``UserDirectory`` port over its unit of
work (the memory profile's; SQL profiles read the ``users`` table directly)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from application.contracts.identity import UserDirectory
from application.identity.ports import IdentityUnitOfWork, UserFilters
from application.shared.pagination import Sort
from domain.shared.access import Role

_DIRECTORY_PAGE = 200


class IdentityUserDirectory(UserDirectory):
    """The users as other modules may see them, read through the identity unit of work."""

    def __init__(self, uow_factory: Callable[[], IdentityUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def get_role(self, user_id: UUID) -> Role | None:
        async with self._uow_factory() as uow:
            user = await uow.users.get(user_id)
        if user is None or not user.is_active:
            return None
        return user.role

    async def manager_ids(self) -> Sequence[UUID]:
        ids: list[UUID] = []
        filters = UserFilters(role=Role.MANAGER, is_active=True)
        async with self._uow_factory() as uow:
            while True:
                page, total = await uow.users.list(
                    filters, limit=_DIRECTORY_PAGE, offset=len(ids), sort=Sort("created_at")
                )
                ids.extend(user.id for user in page)
                if not page or len(ids) >= total:
                    return ids
