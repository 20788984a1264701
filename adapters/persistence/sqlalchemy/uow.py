"""``SqlAlchemyUnitOfWork``: one connection and one transaction per ``async with`` block.

Integration events emitted in the block (``uow.emit``) are inserted into ``outbox_events`` in
the same transaction as the changes; the relay delivers them after the commit. The audit
rows, the outbox rows and ``COMMIT`` go to PostgreSQL in one round trip
(``driver_writes.commit_with``). Domain events
the tracked aggregates recorded are published in-process after the commit (see
``BaseUnitOfWork``).

A violated constraint that a repository did not translate (see ``errors.execute_checked``)
is translated when it leaves the block, before the rollback (SQLite may still be asked
which foreign key failed): no ``IntegrityError`` reaches a use case's caller.

``read_only=True`` (given by the composition root to use cases that never commit): on
PostgreSQL the connection runs in autocommit mode, so a read costs its queries only, with no
``BEGIN`` / ``ROLLBACK`` round trips; under READ COMMITTED every statement takes its own
snapshot anyway. Committing such a unit of work is a programming error. SQLite keeps its
transaction (its pragmas begin every unit of work, see ``engine.install_sqlite_pragmas``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import msgspec
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sqlalchemy.driver_reads import checked_out
from adapters.persistence.sqlalchemy.driver_writes import DriverInsert, commit_with
from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.errors import constraint_error, is_unavailable, unavailable
from adapters.persistence.sqlalchemy.tables.audit import audit_log
from adapters.persistence.sqlalchemy.tables.outbox import outbox_events
from application.shared.audit import AuditLog
from application.shared.events import EventPublisher
from application.shared.integration import Envelope, Inbox
from application.shared.uow import BaseUnitOfWork, OutboxSignal
from domain.shared.events import DomainEvent

log = logging.getLogger("atelier.persistence")


#: The audit and outbox rows' inserts, written with the unit of work's commit.
_AUDIT_INSERT, _OUTBOX_INSERT = DriverInsert(audit_log), DriverInsert(outbox_events)


def outbox_row(envelope: Envelope, recorded_at: datetime) -> dict[str, Any]:
    """The outbox row of an emitted integration event (its payload encoded by msgspec)."""
    return {
        "id": envelope.event_id,
        "event_type": envelope.name,
        "payload": msgspec.to_builtins(envelope.event),
        "occurred_at": envelope.occurred_at,
        "recorded_at": recorded_at,
    }


class SqlAlchemyUnitOfWork(BaseUnitOfWork):
    """Subclasses build their repositories in ``_open_repositories`` from ``self.connection``;
    every unit of work has the platform's ``audit`` trail and event ``inbox``."""

    audit: AuditLog
    inbox: Inbox

    def __init__(
        self,
        database: SqlDatabase,
        publisher: EventPublisher | None = None,
        *,
        read_only: bool = False,
        outbox_signal: OutboxSignal | None = None,
    ) -> None:
        super().__init__(publisher, outbox_signal)
        self._database = database
        self._connection: AsyncConnection | None = None
        self._read_only = read_only and database.dialect_name == "postgresql"

    @property
    def connection(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not open (use 'async with')")
        return self._connection

    def _open_repositories(self) -> None:
        """Override to create repositories bound to ``self.connection``."""

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        translated = None
        if isinstance(exc, sa_exc.IntegrityError):
            translated = await self._translate(exc)
        await super().__aexit__(exc_type, exc, tb)
        if translated is not None:
            raise translated from exc
        if exc is not None and is_unavailable(exc):
            raise unavailable(exc) from exc

    async def _translate(self, exc: sa_exc.IntegrityError) -> Exception | None:
        connection = self._connection
        usable = connection is not None and self._database.dialect_name == "sqlite"
        try:
            return await constraint_error(connection if usable else None, exc)
        except Exception:  # the probe failed too: keep the original error
            log.warning("could not translate a constraint violation", exc_info=True)
            return None

    async def _begin(self) -> None:
        connection: AsyncConnection | None = None
        try:
            connection = await self._database.engine.connect()
            if self._read_only:
                # psycopg's own client-side switch, set back in ``_close``: SQLAlchemy's
                # ``isolation_level="AUTOCOMMIT"`` does the same through its async layer on
                # the way out and back, about a tenth of a one-row read's CPU
                await _driver(connection).set_autocommit(True)
            else:
                if self._database.dialect_name == "postgresql":
                    driver = _driver(connection)
                    if driver.autocommit:  # never: a read gives it back; checked, not assumed
                        await driver.set_autocommit(False)
                await connection.begin()
        except Exception as exc:
            if connection is not None:
                await _quietly_close(connection)
            if is_unavailable(exc):
                raise unavailable(exc) from exc
            raise
        self._connection = connection
        from adapters.persistence.sqlalchemy.audit import SqlAuditLog
        from adapters.persistence.sqlalchemy.events import SqlInbox

        self._audit_log = SqlAuditLog(self)
        self.audit = self._audit_log
        self.inbox = SqlInbox(self)
        self._open_repositories()

    async def _commit(self, events: Sequence[DomainEvent], emitted: Sequence[Envelope]) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        now = datetime.now(UTC)
        outbox = [outbox_row(envelope, now) for envelope in emitted]
        # the audit rows, the outbox rows and COMMIT: one round trip on PostgreSQL
        await commit_with(
            self.connection, [(_AUDIT_INSERT, self._audit_log.take()), (_OUTBOX_INSERT, outbox)]
        )

    async def _rollback(self) -> None:
        connection = self._connection
        if connection is None or self._read_only or not connection.in_transaction():
            return  # autocommit: nothing to roll back
        try:
            await connection.rollback()
        except Exception:
            log.warning("rollback failed; the connection is discarded", exc_info=True)
            await connection.invalidate()

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._read_only:
            await _leave_autocommit(connection)
        await _quietly_close(connection)


def _driver(connection: AsyncConnection) -> Any:
    """psycopg's connection under ``connection`` (just checked out)."""
    return checked_out(connection).driver_connection


async def _leave_autocommit(connection: AsyncConnection) -> None:
    """Give a read's connection back as the pool lent it (a transaction per block); one
    that cannot be switched back (lost, or cancelled mid-statement) is discarded."""
    try:
        fairy = checked_out(connection)
        if fairy is not None:
            driver = fairy.driver_connection
            if not driver.closed and driver.autocommit:
                await driver.set_autocommit(False)
    except Exception:
        log.warning("a read connection could not leave autocommit; discarded", exc_info=True)
        try:
            await connection.invalidate()
        except Exception:
            log.warning("discarding the connection failed", exc_info=True)


async def _quietly_close(connection: AsyncConnection) -> None:
    try:
        await connection.close()
    except Exception:
        log.warning("closing a database connection failed", exc_info=True)
