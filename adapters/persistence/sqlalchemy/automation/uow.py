"""``SqlAutomationUnitOfWork``: the automation repositories on one SQL transaction."""

from __future__ import annotations

from adapters.persistence.sqlalchemy.automation.repositories import (
    SqlPlaybookRepository,
    SqlVariableTypeRepository,
)
from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.queries import install_fold_function
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.automation.ports import AutomationUnitOfWork
from application.shared.events import EventPublisher
from application.shared.uow import OutboxSignal


class SqlAutomationUnitOfWork(SqlAlchemyUnitOfWork, AutomationUnitOfWork):
    playbooks: SqlPlaybookRepository
    variable_types: SqlVariableTypeRepository

    def __init__(
        self,
        database: SqlDatabase,
        publisher: EventPublisher | None = None,
        *,
        read_only: bool = False,
        outbox_signal: OutboxSignal | None = None,
    ) -> None:
        super().__init__(database, publisher, read_only=read_only, outbox_signal=outbox_signal)
        install_fold_function(database)  # SQLite: q folds accented capitals too

    def _open_repositories(self) -> None:
        self.playbooks = SqlPlaybookRepository(self)
        self.variable_types = SqlVariableTypeRepository(self)
