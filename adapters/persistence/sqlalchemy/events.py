"""The event backbone on SQL: the relay's outbox, the inbox, the dead letters.

``SqlOutbox.claim`` on PostgreSQL holds one transaction for the whole batch: the rows are
read ``FOR UPDATE SKIP LOCKED`` (other relays skip them, so no event is handed out twice)
and marked published before it commits. On SQLite (one relay, in ``atelier serve``; every
transaction there takes the database's write lock) the batch is read in one short
transaction and marked in another, so the lock is never held while the relay talks to the
job queue.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.errors import is_unavailable, unavailable
from adapters.persistence.sqlalchemy.tables.outbox import (
    event_dead_letters,
    event_inbox,
    outbox_events,
)
from application.shared.integration import Inbox
from application.shared.outbox import (
    DeadLetter,
    DeadLetters,
    Outbox,
    OutboxBatch,
    OutboxMessage,
)
from domain.shared.ids import new_id

if TYPE_CHECKING:  # the unit of work builds these; no import cycle at run time
    from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork


OUT = outbox_events.c
D = event_dead_letters.c


class SqlInbox(Inbox):
    """Part of a module's unit of work: the claim is written in the handler's transaction."""

    def __init__(self, uow: SqlAlchemyUnitOfWork) -> None:
        self._uow = uow

    async def claim(self, event_id: UUID, handler: str) -> bool:
        conn = self._uow.connection
        values = {"event_id": event_id, "handler": handler, "handled_at": datetime.now(UTC)}
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        statement = (
            insert(event_inbox)
            .values(values)
            .on_conflict_do_nothing()
            .returning(event_inbox.c.event_id)
        )
        return (await conn.execute(statement)).first() is not None

    async def claim_many(self, event_ids: Sequence[UUID], handler: str) -> set[UUID]:
        if not event_ids:
            return set()
        conn = self._uow.connection
        now = datetime.now(UTC)
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        statement = (
            insert(event_inbox)
            .values([{"event_id": e, "handler": handler, "handled_at": now} for e in event_ids])
            .on_conflict_do_nothing()
            .returning(event_inbox.c.event_id)
        )
        return set((await conn.execute(statement)).scalars())


def _message(row: Any) -> OutboxMessage:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return OutboxMessage(
        event_id=r["id"], name=r["event_type"], occurred_at=r["occurred_at"], payload=r["payload"]
    )


def _letter_row(letter: DeadLetter) -> dict[str, Any]:
    return {
        "id": letter.id,
        "event_id": letter.event_id,
        "event_type": letter.name,
        "handler": letter.handler,
        "occurred_at": letter.occurred_at,
        "payload": dict(letter.payload),
        "error": letter.error,
        "attempts": letter.attempts,
        "failed_at": letter.failed_at,
    }


def _letter(row: Any) -> DeadLetter:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return DeadLetter(
        id=r["id"],
        event_id=r["event_id"],
        name=r["event_type"],
        handler=r["handler"],
        occurred_at=r["occurred_at"],
        payload=r["payload"],
        error=r["error"],
        attempts=r["attempts"],
        failed_at=r["failed_at"],
    )


class _SqlBatch(OutboxBatch):
    def __init__(
        self, database: SqlDatabase, conn: AsyncConnection | None, messages: list[OutboxMessage]
    ) -> None:
        self._database = database
        self._conn = conn  # PostgreSQL: the claiming transaction; SQLite: None
        self._messages = messages

    @property
    def messages(self) -> Sequence[OutboxMessage]:
        return self._messages

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        if self._conn is not None:
            yield self._conn
            return
        async with _transaction(self._database) as conn:
            yield conn

    async def mark_published(self, event_ids: Sequence[UUID]) -> None:
        async with self._write() as conn:
            await conn.execute(
                sa.update(outbox_events)
                .where(OUT.id.in_(list(event_ids)))
                .values(published_at=datetime.now(UTC))
            )

    async def park(self, message: OutboxMessage, reason: str) -> None:
        now = datetime.now(UTC)
        letter = DeadLetter(
            id=new_id(),
            event_id=message.event_id,
            name=message.name,
            handler="",
            occurred_at=message.occurred_at,
            payload=message.payload,
            error=reason,
            attempts=0,
            failed_at=now,
        )
        async with self._write() as conn:
            await conn.execute(sa.insert(event_dead_letters).values(_letter_row(letter)))
            await conn.execute(
                sa.update(outbox_events).where(OUT.id == message.event_id).values(published_at=now)
            )


@asynccontextmanager
async def _transaction(database: SqlDatabase) -> AsyncIterator[AsyncConnection]:
    """A short transaction; "the database did not answer" becomes ``DependencyUnavailable``."""
    try:
        async with database.engine.begin() as conn:
            yield conn
    except Exception as exc:
        if is_unavailable(exc):
            raise unavailable(exc) from exc
        raise


class SqlOutbox(Outbox):
    def __init__(self, database: SqlDatabase) -> None:
        self._database = database

    @property
    def _postgres(self) -> bool:
        return self._database.dialect_name == "postgresql"

    def _pending(self, limit: int) -> sa.Select[Any]:
        return (
            sa.select(OUT.id, OUT.event_type, OUT.occurred_at, OUT.payload)
            .where(OUT.published_at.is_(None))
            .order_by(OUT.id)
            .limit(limit)
        )

    @asynccontextmanager
    async def claim(self, limit: int) -> AsyncIterator[OutboxBatch]:
        if self._postgres:
            async with _transaction(self._database) as conn:
                query = self._pending(limit).with_for_update(skip_locked=True)
                rows = (await conn.execute(query)).all()
                yield _SqlBatch(self._database, conn, [_message(row) for row in rows])
            return
        async with _transaction(self._database) as conn:
            rows = (await conn.execute(self._pending(limit))).all()
        yield _SqlBatch(self._database, None, [_message(row) for row in rows])

    async def purge(self, before: datetime) -> int:
        async with _transaction(self._database) as conn:
            events = await conn.execute(
                sa.delete(outbox_events).where(
                    OUT.published_at.is_not(None), OUT.published_at < before
                )
            )
            inbox = await conn.execute(
                sa.delete(event_inbox).where(event_inbox.c.handled_at < before)
            )
        return int(events.rowcount) + int(inbox.rowcount)

    async def pending(self) -> int:
        query = sa.select(sa.func.count()).select_from(outbox_events)
        async with _transaction(self._database) as conn:
            return int((await conn.execute(query.where(OUT.published_at.is_(None)))).scalar_one())


class SqlDeadLetters(DeadLetters):
    def __init__(self, database: SqlDatabase) -> None:
        self._database = database

    async def add(self, letter: DeadLetter) -> None:
        async with _transaction(self._database) as conn:
            await conn.execute(sa.insert(event_dead_letters).values(_letter_row(letter)))

    async def list(self, *, limit: int, offset: int) -> tuple[Sequence[DeadLetter], int]:
        async with _transaction(self._database) as conn:
            total = int(
                (
                    await conn.execute(sa.select(sa.func.count()).select_from(event_dead_letters))
                ).scalar_one()
            )
            rows = await conn.execute(
                sa.select(event_dead_letters)
                .order_by(D.failed_at.desc(), D.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [_letter(row) for row in rows], total

    async def get(self, letter_id: UUID) -> DeadLetter | None:
        async with _transaction(self._database) as conn:
            row = (
                await conn.execute(sa.select(event_dead_letters).where(D.id == letter_id))
            ).first()
        return _letter(row) if row is not None else None

    async def remove(self, letter_id: UUID) -> None:
        async with _transaction(self._database) as conn:
            await conn.execute(sa.delete(event_dead_letters).where(D.id == letter_id))

    async def record_failure(self, letter_id: UUID, error: str, at: datetime) -> None:
        async with _transaction(self._database) as conn:
            await conn.execute(
                sa.update(event_dead_letters)
                .where(D.id == letter_id)
                .values(error=error, attempts=D.attempts + 1, failed_at=at)
            )
