"""``SqlIdentityUnitOfWork``: the identity repositories on one SQL transaction."""

from __future__ import annotations

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.identity.preferences import SqlPreferencesRepository
from adapters.persistence.sqlalchemy.identity.revocations import SqlRevocationRepository
from adapters.persistence.sqlalchemy.identity.tokens import (
    SqlPasswordResetRepository,
    SqlRefreshTokenRepository,
)
from adapters.persistence.sqlalchemy.identity.users import SqlUserRepository
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.identity.ports import IdentityUnitOfWork
from application.shared.events import EventPublisher
from application.shared.uow import OutboxSignal


class SqlIdentityUnitOfWork(SqlAlchemyUnitOfWork, IdentityUnitOfWork):
    users: SqlUserRepository
    refresh_tokens: SqlRefreshTokenRepository
    password_resets: SqlPasswordResetRepository
    preferences: SqlPreferencesRepository
    revocations: SqlRevocationRepository

    def __init__(
        self,
        database: SqlDatabase,
        publisher: EventPublisher | None = None,
        *,
        read_only: bool = False,
        outbox_signal: OutboxSignal | None = None,
    ) -> None:
        super().__init__(database, publisher, read_only=read_only, outbox_signal=outbox_signal)

    def _open_repositories(self) -> None:
        self.users = SqlUserRepository(self)
        self.refresh_tokens = SqlRefreshTokenRepository(self)
        self.password_resets = SqlPasswordResetRepository(self)
        self.preferences = SqlPreferencesRepository(self)
        self.revocations = SqlRevocationRepository(self)
