"""SQLAlchemy Core adapters of the maintenance context (SQLite and PostgreSQL)."""

from adapters.persistence.sqlalchemy.maintenance.dashboard import SqlDashboardReader
from adapters.persistence.sqlalchemy.maintenance.equipment import SqlEquipmentRepository
from adapters.persistence.sqlalchemy.maintenance.interventions import SqlInterventionRepository
from adapters.persistence.sqlalchemy.maintenance.schedule import SqlScheduleRepository
from adapters.persistence.sqlalchemy.maintenance.technicians import SqlTechnicianRepository
from adapters.persistence.sqlalchemy.maintenance.uow import SqlMaintenanceUnitOfWork

__all__ = [
    "SqlDashboardReader",
    "SqlEquipmentRepository",
    "SqlInterventionRepository",
    "SqlMaintenanceUnitOfWork",
    "SqlScheduleRepository",
    "SqlTechnicianRepository",
]
