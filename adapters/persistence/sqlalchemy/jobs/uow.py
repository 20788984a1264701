"""``SqlJobsUnitOfWork``: the AI jobs repositories on one SQL transaction."""

from __future__ import annotations

from adapters.persistence.sqlalchemy.jobs.repositories import (
    SqlJobOwners,
    SqlTranscriptionRepository,
    SqlTryOnRepository,
)
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.jobs.ports import JobsUnitOfWork


class SqlJobsUnitOfWork(SqlAlchemyUnitOfWork, JobsUnitOfWork):
    transcriptions: SqlTranscriptionRepository
    tryons: SqlTryOnRepository
    owners: SqlJobOwners

    def _open_repositories(self) -> None:
        self.transcriptions = SqlTranscriptionRepository(self)
        self.tryons = SqlTryOnRepository(self)
        self.owners = SqlJobOwners(self)
