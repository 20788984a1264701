"""SQLAlchemy Core adapters of the media library (SQLite and PostgreSQL)."""

from adapters.persistence.sqlalchemy.media.uow import SqlMediaUnitOfWork

__all__ = ["SqlMediaUnitOfWork"]
