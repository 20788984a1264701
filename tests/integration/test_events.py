"""The event backbone end to end in one process, on every profile: committed integration
events reach each subscriber through the relay and the job queue, once; failures are retried,
then parked; unknown events are parked, never dropped; the escalation runs on the queue."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from dependency_injector import providers

from adapters.clock import FixedClock
from application.identity.use_cases.create_user import CreateUserCommand
from application.maintenance.commands import CreateEquipmentCommand, CreateInterventionCommand
from application.shared.audit import AuditFilters
from application.shared.delivery import ReplayDeadLetter
from application.shared.integration import IntegrationEvent
from domain.shared.access import Actor, Role
from domain.shared.ids import new_id
from entrypoints.bootstrap.background import handler_for
from entrypoints.bootstrap.container import Container, build_container, shutdown, start
from entrypoints.bootstrap.registry import modules
from entrypoints.bootstrap.settings import load_settings
from entrypoints.cli.main import cli
from entrypoints.worker.runtime import Background
from tests.conftest import copy_sqlite
from tests.support import probe_module
from tests.support.redis import drop_prefixed

SYSTEM = Actor(user_id=new_id(), role=Role.ADMIN)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def platform(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[Container]]]:
    """Builds started containers with the probe module and a running Background."""
    kind = request.param
    opened: list[tuple[Container, Background]] = []
    options: dict[str, Any] = {
        "data_dir": str(tmp_path),
        "storage": "memory",
        "cache": "memory",
        "bcrypt_rounds": 4,
    }
    if kind == "memory":
        options |= {"persistence": "memory"}
    elif kind == "sqlite":
        database = copy_sqlite(request.getfixturevalue("sqlite_template"), tmp_path / "a.db")
        options |= {"persistence": "sqlite", "database_url": f"sqlite+aiosqlite:///{database}"}
    else:
        redis_url = request.getfixturevalue("redis_url")
        prefix = request.getfixturevalue("redis_prefix")
        options |= {
            "profile": "production",
            "persistence": "postgres",
            "database_url": request.getfixturevalue("migrated_postgres_url"),
            "cache": "redis",
            "redis_url": redis_url,
            "redis_key_prefix": prefix,
            "queue": "saq",
            "queue_name": prefix.strip(":"),
            "jwt_secret": secrets.token_urlsafe(48),
            "password_pepper": secrets.token_urlsafe(48),
        }

    async def make(*, flaky: bool = False, **overrides: Any) -> Container:
        settings = load_settings(
            {}, env_file=tmp_path / "none.env", relay_poll_seconds=0.2, **options | overrides
        )
        container = build_container(settings, specs=[*modules(), probe_module.spec(flaky=flaky)])
        await start(container)
        background = Background(container)
        await background.start()
        opened.append((container, background))
        return container

    yield make
    for container, background in reversed(opened):
        await background.stop()
        await shutdown(container)
    if kind == "postgres":
        cleaner = await _cleaner(redis_url)
        await drop_prefixed(cleaner, redis_url, prefix)
        await drop_prefixed(cleaner, redis_url, f"saq:{prefix.strip(':')}")


async def _cleaner(url: str) -> Any:
    from adapters.cache.redis import RedisCache

    return RedisCache.from_url(url, prefix="")


async def effects(
    container: Container, run: str, *, at_least: int, seconds: float = 20
) -> list[Any]:
    """The probe's effects (audit entries) of ``run`` once there are ``at_least`` of them."""
    deadline = time.monotonic() + seconds
    while True:
        entries, _ = await container.audit_trail().list(
            AuditFilters(entity_type=probe_module.ENTITY), limit=1000, offset=0
        )
        mine = [e for e in entries if e.changes["run"][1] == run]
        if len(mine) >= at_least or time.monotonic() > deadline:
            return mine
        await asyncio.sleep(0.05)


async def test_every_event_reaches_its_subscriber_once(platform: Any) -> None:
    container = await platform()
    await container.probe.ping()(range(25), run=(run := new_id().hex))
    found = await effects(container, run, at_least=25)
    await asyncio.sleep(0.5)  # nothing more arrives
    found = await effects(container, run, at_least=26, seconds=0.1)
    assert sorted(entry.changes["n"][1] for entry in found) == list(range(25))
    assert len({entry.entity_id for entry in found}) == 25


async def test_a_redelivered_event_has_no_second_effect(platform: Any) -> None:
    container = await platform()
    await container.probe.ping()(range(1), run=(run := new_id().hex))
    (first,) = await effects(container, run, at_least=1)
    # the same event handed over again (a relay that died before it committed, say)
    await container.job_queue().enqueue(
        "events.deliver",
        {
            "handler": "probe.record",
            "events": [
                {
                    "event_id": str(first.entity_id),
                    "name": probe_module.Pinged.NAME,
                    "occurred_at": datetime.now(UTC).isoformat(),
                    "payload": {"n": 0, "sent_at": datetime.now(UTC).isoformat(), "run": run},
                }
            ],
        },
        key=f"{first.entity_id}:probe.record:again",
    )
    await asyncio.sleep(1.0)
    assert len(await effects(container, run, at_least=2, seconds=0.1)) == 1


@pytest.mark.slow
async def test_a_failing_handler_is_retried_then_parked_and_replayed(platform: Any) -> None:
    container = await platform(flaky=True, event_delivery_retries=1)
    probe_module.ATTEMPTS.clear()
    run = new_id().hex
    await container.probe.ping()(range(1), run=run, fail=5)  # fails more than it is retried
    deadline = time.monotonic() + 30
    letters: list[Any] = []
    while not letters and time.monotonic() < deadline:
        letters, _ = await container.dead_letters().list(limit=10, offset=0)
        letters = [x for x in letters if x.handler == "probe.flaky" and x.payload["run"] == run]
        await asyncio.sleep(0.1)
    (letter,) = letters
    assert letter.attempts == 2  # the first attempt and its one retry
    assert "flaky handler failure 2" in letter.error
    # the other subscriber had its effect
    assert len(await effects(container, run, at_least=1)) == 1
    replay = ReplayDeadLetter(
        container.event_codec(),
        container.subscriptions(),
        lambda subscription: handler_for(container, subscription),
        container.dead_letters(),
        container.clock(),
    )
    with pytest.raises(RuntimeError):  # attempt 3 still fails: the letter stays
        await replay(letter.id)
    kept = await container.dead_letters().get(letter.id)
    assert kept is not None
    assert kept.attempts == 3
    for _ in range(2):  # attempts 4 and 5 fail, the sixth succeeds
        with pytest.raises(RuntimeError):
            await replay(letter.id)
    await replay(letter.id)
    assert await container.dead_letters().get(letter.id) is None


async def test_an_event_nobody_knows_is_parked_not_dropped(platform: Any) -> None:
    @dataclass(frozen=True, kw_only=True, slots=True)
    class FromTheFuture(IntegrationEvent):
        NAME: ClassVar[str] = "probe.pinged.v9"
        n: int = 1

    container = await platform()
    uow = container.probe.uow()
    async with uow:
        uow.emit(FromTheFuture(), occurred_at=datetime.now(UTC))
        await uow.commit()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        letters, _ = await container.dead_letters().list(limit=50, offset=0)
        parked = [x for x in letters if x.name == "probe.pinged.v9"]
        if parked:
            break
        await asyncio.sleep(0.05)
    assert len(parked) == 1
    assert parked[0].handler == ""
    assert "unknown event name" in parked[0].error
    assert await container.outbox().pending() == 0


@pytest.mark.slow
async def test_the_escalation_runs_on_the_queue_once_per_intervention(platform: Any) -> None:
    container = await platform(escalation_cron="* * * * * */1")
    clock = FixedClock(datetime.now(UTC))
    container.clock.override(providers.Object(clock))
    admin = await container.identity.create_user()(
        CreateUserCommand(
            actor=SYSTEM,
            email=f"{new_id().hex}@example.org",
            password="violet-sunrise-42-lantern",
            first_name="Ada",
            last_name="Boss",
            role=Role.ADMIN,
        )
    )
    actor = Actor(user_id=admin.id, role=Role.ADMIN)
    equipment = await container.maintenance.create_equipment()(
        CreateEquipmentCommand(
            actor=actor, name="Press 4", type="press", serial_number=new_id().hex
        )
    )
    request = await container.maintenance.create_intervention()(
        CreateInterventionCommand(
            actor=actor, title="Hydraulic leak", equipment_id=equipment.id, priority="critical"
        )
    )
    clock.advance(minutes=31)  # the request is now overdue for a critical one
    await asyncio.sleep(3.5)  # three ticks at least
    entries, total = await container.audit_trail().list(
        AuditFilters(entity_id=request.id), limit=50, offset=0
    )
    assert [e.action for e in entries].count("escalate") == 1, entries
    assert total >= 2  # created, then escalated once


def test_atelier_events_failed_lists_the_parked_deliveries(tmp_path: Path) -> None:
    database = tmp_path / "atelier.db"
    env = {
        "ATELIER_DATA_DIR": str(tmp_path),
        "ATELIER_ENV_FILE": str(tmp_path / "none.env"),
        "ATELIER_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
    }
    from adapters.persistence.sqlalchemy.migrations import upgrade

    upgrade(env["ATELIER_DATABASE_URL"])
    runner = CliRunner()
    empty = runner.invoke(cli, ["events", "failed"], env=env)
    assert empty.exit_code == 0, empty.output
    assert "no parked events" in empty.output

    async def park() -> None:
        from application.shared.outbox import DeadLetter

        settings = load_settings(
            {},
            env_file=tmp_path / "none.env",
            data_dir=str(tmp_path),
            database_url=env["ATELIER_DATABASE_URL"],
        )
        container = build_container(settings)
        await start(container)
        await container.dead_letters().add(
            DeadLetter(
                id=new_id(),
                event_id=new_id(),
                name="maintenance.intervention_assigned.v1",
                handler="notifications.notify_assignee",
                occurred_at=datetime.now(UTC),
                payload={},
                error="Traceback...\nRuntimeError: the mail server said no",
                attempts=9,
                failed_at=datetime.now(UTC) - timedelta(minutes=1),
            )
        )
        await shutdown(container)

    asyncio.run(park())
    listed = runner.invoke(cli, ["events", "failed"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "1 parked event(s)" in listed.output
    assert "handler=notifications.notify_assignee" in listed.output
    assert "RuntimeError: the mail server said no" in listed.output
    unknown = runner.invoke(cli, ["events", "replay", str(new_id())], env=env)
    assert unknown.exit_code == 1
    assert "No parked event has the id" in unknown.output
