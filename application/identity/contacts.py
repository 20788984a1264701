"""``IdentityMailContacts``: identity's published ``MailContacts`` port (the user's address
and their e-mail choice from ``settings.notifications`` of their preferences)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from application.contracts.identity import MailContact, MailContacts
from application.identity.ports import IdentityUnitOfWork


def accepts_notification_email(settings: Mapping[str, Any]) -> bool:
    """``settings.notifications`` set to ``false``, or ``settings.notifications.email`` set
    to ``false``, turns notification e-mail off; anything else leaves it on."""
    choice = settings.get("notifications")
    if choice is False:
        return False
    if isinstance(choice, Mapping):
        return choice.get("email") is not False
    return True


class IdentityMailContacts(MailContacts):
    def __init__(self, uow_factory: Callable[[], IdentityUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def mail_contact(self, user_id: UUID) -> MailContact | None:
        async with self._uow_factory() as uow:
            user = await uow.users.get(user_id)
            preferences = await uow.preferences.get(user_id) if user is not None else None
        if user is None:
            return None
        settings = preferences.settings if preferences is not None else {}
        return MailContact(
            user_id=user.id,
            email=user.email,
            name=f"{user.first_name} {user.last_name}".strip(),
            is_active=user.is_active,
            notification_email=accepts_notification_email(settings),
        )
