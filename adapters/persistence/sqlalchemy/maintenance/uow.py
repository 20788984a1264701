"""``SqlMaintenanceUnitOfWork``: the maintenance repositories on one SQL transaction.

``read_only=True`` (the composition root gives it to the use cases that never commit): on
PostgreSQL no ``BEGIN`` / ``ROLLBACK`` round trips (see ``SqlAlchemyUnitOfWork``).
"""

from __future__ import annotations

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.maintenance.equipment import SqlEquipmentRepository
from adapters.persistence.sqlalchemy.maintenance.feeds import SqlCalendarFeedRepository
from adapters.persistence.sqlalchemy.maintenance.interventions import SqlInterventionRepository
from adapters.persistence.sqlalchemy.maintenance.schedule import SqlScheduleRepository
from adapters.persistence.sqlalchemy.maintenance.technicians import SqlTechnicianRepository
from adapters.persistence.sqlalchemy.queries import install_fold_function
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.maintenance.ports import MaintenanceUnitOfWork
from application.shared.events import EventPublisher
from application.shared.uow import OutboxSignal


class SqlMaintenanceUnitOfWork(SqlAlchemyUnitOfWork, MaintenanceUnitOfWork):
    technicians: SqlTechnicianRepository
    equipment: SqlEquipmentRepository
    interventions: SqlInterventionRepository
    schedule: SqlScheduleRepository
    feeds: SqlCalendarFeedRepository

    def __init__(
        self,
        database: SqlDatabase,
        publisher: EventPublisher | None = None,
        *,
        read_only: bool = False,
        outbox_signal: OutboxSignal | None = None,
    ) -> None:
        super().__init__(database, publisher, read_only=read_only, outbox_signal=outbox_signal)
        install_fold_function(database)  # SQLite: q filters fold accented capitals too

    def _open_repositories(self) -> None:
        self.technicians = SqlTechnicianRepository(self)
        self.equipment = SqlEquipmentRepository(self)
        self.interventions = SqlInterventionRepository(self)
        self.schedule = SqlScheduleRepository(self)
        self.feeds = SqlCalendarFeedRepository(self)
