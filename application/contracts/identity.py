"""What the identity module publishes: the ports other modules (and the HTTP platform) use.

* ``Authenticator`` (``identity.authenticate``): an access token -> the caller (``Actor``), or
  ``Unauthenticated``; the HTTP platform's authentication middleware calls it per request.
* ``UserDirectory`` (``identity.user_directory``): what other modules may ask about users.
* ``MailContacts`` (``identity.mail_contacts``): where and whether to e-mail a user (the
  notifications module's mail; the user's choice lives in their preferences).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from domain.shared.access import Actor, Role


class Authenticator(Protocol):
    async def __call__(self, token: str) -> Actor:
        """The caller of a valid, unrevoked access token; ``Unauthenticated`` otherwise."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class DirectoryUser:
    """A user as other modules see one (``UserDirectory.get_user``)."""

    id: UUID
    role: Role
    is_active: bool
    first_name: str
    last_name: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class UserDirectory(Protocol):
    async def get_role(self, user_id: UUID) -> Role | None:
        """The role of an existing, active user; None otherwise."""
        ...

    async def get_user(self, user_id: UUID) -> DirectoryUser | None:
        """Any existing user (active or not); None when there is no such user."""
        ...

    async def manager_ids(self) -> Sequence[UUID]:
        """Ids of every active manager (escalation notifications)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class MailContact:
    """Where to e-mail a user, and whether they accept notification e-mail."""

    user_id: UUID
    email: str
    name: str
    is_active: bool
    notification_email: bool
    """False when the user turned e-mail off: ``settings.notifications.email`` (or
    ``settings.notifications``) is ``false`` in their preferences."""


class MailContacts(Protocol):
    async def mail_contact(self, user_id: UUID) -> MailContact | None:
        """The contact of an existing user (active or not); None when there is no such user."""
        ...
