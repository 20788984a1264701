"""``SqlMediaUnitOfWork``: the media repositories on one SQL transaction."""

from __future__ import annotations

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.media.repositories import (
    SqlCategoryRepository,
    SqlColorRepository,
    SqlImageRepository,
    SqlThemeRepository,
)
from adapters.persistence.sqlalchemy.queries import install_fold_function
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.media.ports import MediaUnitOfWork
from application.shared.events import EventPublisher
from application.shared.uow import OutboxSignal


class SqlMediaUnitOfWork(SqlAlchemyUnitOfWork, MediaUnitOfWork):
    categories: SqlCategoryRepository
    colors: SqlColorRepository
    themes: SqlThemeRepository
    images: SqlImageRepository

    def __init__(
        self,
        database: SqlDatabase,
        publisher: EventPublisher | None = None,
        *,
        read_only: bool = False,
        outbox_signal: OutboxSignal | None = None,
    ) -> None:
        super().__init__(database, publisher, read_only=read_only, outbox_signal=outbox_signal)
        install_fold_function(database)

    def _open_repositories(self) -> None:
        self.categories = SqlCategoryRepository(self)
        self.colors = SqlColorRepository(self)
        self.themes = SqlThemeRepository(self)
        self.images = SqlImageRepository(self)
