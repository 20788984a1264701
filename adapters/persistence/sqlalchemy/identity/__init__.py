"""SQLAlchemy Core identity repositories and unit of work (the SQL twin of the memory ones)."""

from adapters.persistence.sqlalchemy.identity.preferences import SqlPreferencesRepository
from adapters.persistence.sqlalchemy.identity.tokens import (
    SqlPasswordResetRepository,
    SqlRefreshTokenRepository,
)
from adapters.persistence.sqlalchemy.identity.uow import SqlIdentityUnitOfWork
from adapters.persistence.sqlalchemy.identity.users import SqlUserRepository

__all__ = [
    "SqlIdentityUnitOfWork",
    "SqlPasswordResetRepository",
    "SqlPreferencesRepository",
    "SqlRefreshTokenRepository",
    "SqlUserRepository",
]
