"""What every SQL repository shares: the unit of work, its connection, text sort keys."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork


class SqlRepository:
    def __init__(self, uow: SqlAlchemyUnitOfWork) -> None:
        self._uow = uow
        self._conn = uow.connection

    @property
    def _postgres(self) -> bool:
        return self._conn.dialect.name == "postgresql"

    def _text_key(
        self, column: sa.ColumnElement[Any], *, folded: bool = False
    ) -> sa.ColumnElement[Any]:
        """A string sort key in code-point order of the lower-cased text, like Python's
        ``sorted`` of casefolded strings (PostgreSQL would otherwise use its locale).
        ``folded``: the column already holds the casefolded text."""
        key = column if folded else sa.func.lower(column)
        return key.collate("C") if self._postgres else key
