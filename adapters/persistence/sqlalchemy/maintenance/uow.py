"""``SqlMaintenanceUnitOfWork``: the maintenance repositories on one SQL transaction.

``read_only=True`` (the composition root gives it to the use cases that never commit): on
PostgreSQL the connection runs in autocommit mode, so a read costs its queries only, with
no ``BEGIN`` / ``ROLLBACK`` round trips. Under READ COMMITTED every statement takes its own
snapshot anyway, so a read transaction would add no consistency. SQLite keeps its
transaction (its pragmas begin every unit of work, see ``engine.install_sqlite_pragmas``).
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.errors import is_unavailable, unavailable
from adapters.persistence.sqlalchemy.maintenance.audit import SqlAuditLog
from adapters.persistence.sqlalchemy.maintenance.equipment import SqlEquipmentRepository
from adapters.persistence.sqlalchemy.maintenance.interventions import SqlInterventionRepository
from adapters.persistence.sqlalchemy.maintenance.schedule import SqlScheduleRepository
from adapters.persistence.sqlalchemy.maintenance.technicians import SqlTechnicianRepository
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.maintenance.ports import MaintenanceUnitOfWork
from application.shared.events import EventPublisher
from domain.shared.events import DomainEvent


class SqlMaintenanceUnitOfWork(SqlAlchemyUnitOfWork, MaintenanceUnitOfWork):
    technicians: SqlTechnicianRepository
    equipment: SqlEquipmentRepository
    interventions: SqlInterventionRepository
    schedule: SqlScheduleRepository
    audit: SqlAuditLog

    def __init__(
        self,
        database: SqlDatabase,
        publisher: EventPublisher | None = None,
        *,
        read_only: bool = False,
    ) -> None:
        super().__init__(database, publisher)
        self._read_only = read_only and database.dialect_name == "postgresql"

    async def _begin(self) -> None:
        if not self._read_only:
            await super()._begin()
            return
        try:
            connection = await self._database.engine.connect()
        except Exception as exc:
            if is_unavailable(exc):
                raise unavailable(exc) from exc
            raise
        # client-side switch (psycopg ``autocommit``); reset when the pool takes it back
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        self._connection = connection
        self._open_repositories()

    async def _commit(self, events: Sequence[DomainEvent]) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        await super()._commit(events)

    def _open_repositories(self) -> None:
        self.technicians = SqlTechnicianRepository(self)
        self.equipment = SqlEquipmentRepository(self)
        self.interventions = SqlInterventionRepository(self)
        self.schedule = SqlScheduleRepository(self)
        self.audit = SqlAuditLog(self)
