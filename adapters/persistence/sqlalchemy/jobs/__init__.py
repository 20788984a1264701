"""SQLAlchemy Core adapters of the AI jobs context (SQLite and PostgreSQL)."""

from adapters.persistence.sqlalchemy.jobs.uow import SqlJobsUnitOfWork

__all__ = ["SqlJobsUnitOfWork"]
