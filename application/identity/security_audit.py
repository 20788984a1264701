"""Identity's security events, also written to the audit trail (``GET /audit``).

Every security event about a known user becomes an audit entry (entity ``user``, the event
name as the action, the client address and details as values), written in identity's own
unit of work. Events without a user (a login for an unknown e-mail) stay in the security log
only. A failure to write the audit entry is logged and never turns a login into an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from uuid import UUID

from application.identity.ports import IdentityUnitOfWork, SecurityLog
from application.shared.audit import AuditEntry, AuditValue
from application.shared.clock import Clock
from domain.shared.errors import DomainError

log = logging.getLogger("atelier.security")

ENTITY_USER = "user"
"""The audit trail's entity type of identity's security events."""


class AuditedSecurityLog(SecurityLog):
    def __init__(
        self,
        inner: SecurityLog,
        uow_factory: Callable[[], IdentityUnitOfWork],
        clock: Clock,
    ) -> None:
        self._inner = inner
        self._uow_factory = uow_factory
        self._clock = clock

    async def record(
        self,
        event_name: str,
        *,
        user_id: UUID | None,
        ip: str | None,
        detail: Mapping[str, str] | None = None,
    ) -> None:
        await self._inner.record(event_name, user_id=user_id, ip=ip, detail=detail)
        if user_id is None:
            return
        values: dict[str, list[AuditValue]] = {"client_ip": [None, ip]}
        values.update({key: [None, value] for key, value in (detail or {}).items()})
        entry = AuditEntry(
            actor_id=user_id,
            entity_type=ENTITY_USER,
            entity_id=user_id,
            action=event_name[:40],
            changes=values,
            at=self._clock.now(),
        )
        try:
            async with self._uow_factory() as uow:
                await uow.audit.record(entry)
                await uow.commit()
        except DomainError:  # the database is down: the security log line is already out
            log.exception("could not write the security event to the audit trail")
