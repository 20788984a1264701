"""The notifications module in a whole app (memory profile, relay and queue in process):

* ``jobs.job_completed.v1`` / ``jobs.job_failed.v1`` published (as the jobs module does)
  reach their owner, once, through the relay;
* the daily maintenance-due job reads maintenance's published ``maintenance_due`` port and
  gives every manager one notification listing the equipment due;
* the job and its schedule are registered.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from application.contracts.jobs import JobCompleted, JobFailed
from application.identity.use_cases.create_user import CreateUserCommand
from application.maintenance.commands import CreateEquipmentCommand
from application.notifications.use_cases.list_notifications import ListNotificationsQuery
from application.shared.integration import IntegrationEvent
from domain.shared.access import Actor, Role
from entrypoints.bootstrap.container import Container, build_container, shutdown, start
from entrypoints.bootstrap.notifications import MAINTENANCE_DUE_JOB
from entrypoints.bootstrap.registry import modules
from entrypoints.bootstrap.settings import load_settings
from entrypoints.worker.runtime import Background

SYSTEM = Actor(user_id=uuid.UUID(int=0), role=Role.ADMIN)


async def emit(container: Container, *events: IntegrationEvent) -> None:
    """Published as the jobs module would (any unit of work writes the outbox)."""
    now = datetime.now(UTC)
    async with container.notifications.uow() as uow:
        for event in events:
            uow.emit(event, occurred_at=now)
        await uow.commit()


@pytest.fixture
async def app_container(tmp_path: Path) -> AsyncIterator[Container]:
    settings = load_settings(
        {},
        env_file=tmp_path / "none",
        data_dir=str(tmp_path),
        persistence="memory",
        cache="memory",
        storage="memory",
        mailer="memory",
        bcrypt_rounds=4,
        relay_poll_seconds=0.1,
        log_level="WARNING",
    )
    container = build_container(settings, specs=modules())
    await start(container)
    channels = container.channels_backend()
    await channels.on_startup()  # the app's ChannelsPlugin does it when there is an app
    background = Background(container)
    await background.start()
    try:
        yield container
    finally:
        await background.stop()
        await channels.on_shutdown()
        await shutdown(container)


async def user(container: Container, role: Role) -> uuid.UUID:
    view = await container.identity.create_user()(
        CreateUserCommand(
            actor=SYSTEM,
            email=f"{role.value}.{uuid.uuid4().hex[:8]}@example.test",
            password="violet-sunrise-42-lantern",
            first_name="Ada",
            last_name="Lovelace",
            role=role,
        )
    )
    return view.id


async def titles(container: Container, user_id: uuid.UUID, role: Role, count: int) -> list[str]:
    query = ListNotificationsQuery(actor=Actor(user_id=user_id, role=role))
    async with asyncio.timeout(10):
        while True:
            page = (await container.notifications.list_notifications()(query)).page
            if page.total >= count:
                return [item.title for item in page.items]
            await asyncio.sleep(0.05)


async def test_job_outcomes_reach_their_owner_once(app_container: Container) -> None:
    owner = await user(app_container, Role.CLIENT)
    done = JobCompleted(job_id=uuid.uuid4(), kind="tryon", owner_id=owner, result_id=uuid.uuid4())
    failed = JobFailed(job_id=uuid.uuid4(), kind="transcription", owner_id=owner, error="boom")
    await emit(app_container, done, failed)
    seen = await titles(app_container, owner, Role.CLIENT, 2)
    assert sorted(seen) == ["Your transcription failed", "Your try-on is ready"]
    await asyncio.sleep(0.5)
    assert len(await titles(app_container, owner, Role.CLIENT, 2)) == 2
    mailer = app_container.mailer()
    for _ in range(200):  # the failure is an error: mailed
        if mailer.sent:
            break
        await asyncio.sleep(0.05)
    assert [mail.subject for mail in mailer.sent] == ["[Atelier] Your transcription failed"]


async def test_daily_check_lists_the_equipment_due_in_one_notification(
    app_container: Container,
) -> None:
    managers = [await user(app_container, Role.MANAGER) for _ in range(2)]
    manager = Actor(user_id=managers[0], role=Role.MANAGER)
    long_ago = datetime.now(UTC) - timedelta(days=400)
    for name in ("Pump A", "Pump B", "Lathe C"):
        await app_container.maintenance.create_equipment()(
            CreateEquipmentCommand(
                actor=manager,
                name=name,
                type="pump",
                serial_number=uuid.uuid4().hex,
                maintenance_interval_days=30,
                last_maintenance_at=long_ago,
            )
        )
    await app_container.maintenance.create_equipment()(
        CreateEquipmentCommand(
            actor=manager, name="Not due", type="pump", serial_number=uuid.uuid4().hex
        )
    )
    result = await app_container.notifications.check_maintenance_due()()
    assert (result.equipment, result.notified) == (3, 2)
    for manager_id in managers:
        [title] = await titles(app_container, manager_id, Role.MANAGER, 1)
        assert title == "3 equipment due for maintenance"
    assert (await app_container.notifications.check_maintenance_due()()).notified == 0
    registry = app_container.job_registry()
    assert MAINTENANCE_DUE_JOB in registry.definitions
