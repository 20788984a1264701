"""The notifications use cases and handlers on the memory twins: one notification per event
and user however often it is delivered, pushed to the user's channel after commit, mail
requested for warnings and errors only, the mail sent (or not, by preference), the daily
maintenance-due check once per day, the in-app list, reading and catching up."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from adapters.clock import FixedClock
from adapters.mail.memory import MemoryMailer
from adapters.mail.rendering import JinjaMailRenderer
from adapters.persistence.memory.identity import MemoryIdentityUnitOfWork
from adapters.persistence.memory.notifications import MemoryNotificationsUnitOfWork
from adapters.persistence.memory.store import MemoryStore
from adapters.queue.base import Registry
from adapters.queue.local import LocalJobQueue, MemoryJobStore
from adapters.realtime.channels import ChannelsBroadcaster, memory_backend
from application.contracts.jobs import JobFailed
from application.contracts.maintenance import DueEquipment, EquipmentDown, InterventionCompleted
from application.contracts.notifications import NotificationMailRequested
from application.identity.contacts import IdentityMailContacts, accepts_notification_email
from application.identity.directory import IdentityUserDirectory
from application.notifications.handlers import (
    NotifyManagersEquipmentDown,
    NotifyOwnerJobFailed,
    NotifyRequesterCompleted,
)
from application.notifications.mail import (
    MAIL_JOB,
    QueueNotificationMail,
    SendNotificationMail,
    mail_job_key,
    mail_job_payload,
)
from application.notifications.publishing import notifications_channel
from application.notifications.use_cases.check_maintenance_due import CheckMaintenanceDue
from application.notifications.use_cases.list_notifications import (
    ListNotifications,
    ListNotificationsQuery,
)
from application.notifications.use_cases.mark_all_read import MarkAllNotificationsRead
from application.notifications.use_cases.mark_read import MarkNotificationRead
from application.shared.integration import Delivery, IntegrationEvent
from application.shared.jobs import JobDefinition
from domain.identity.preferences import Preferences
from domain.identity.user import User
from domain.shared.access import Actor, Role
from domain.shared.errors import DependencyUnavailable, NotFound

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


@dataclass
class FixedDue:
    items: Sequence[DueEquipment]

    async def due_on(self, day: date) -> Sequence[DueEquipment]:
        return self.items


class Kit:
    def __init__(self, store: MemoryStore, broadcaster: ChannelsBroadcaster) -> None:
        self.store, self.broadcaster = store, broadcaster
        self.clock = FixedClock(NOW)
        self.directory = IdentityUserDirectory(lambda: MemoryIdentityUnitOfWork(store))
        self.contacts = IdentityMailContacts(lambda: MemoryIdentityUnitOfWork(store))
        self.mailer = MemoryMailer()

    def uow(self) -> MemoryNotificationsUnitOfWork:
        return MemoryNotificationsUnitOfWork(self.store)

    def handler(self, cls: type[Any]) -> Any:
        return cls(self.uow(), self.clock, self.broadcaster, self.directory)

    async def user(self, role: Role, settings: dict[str, Any] | None = None) -> UUID:
        user = User.register(
            email=f"{role.value}.{uuid.uuid4().hex[:8]}@example.test",
            first_name="Ada",
            last_name=role.value.title(),
            role=role,
            password_hash="x",
            now=NOW,
        )
        async with MemoryIdentityUnitOfWork(self.store) as uow:
            await uow.users.add(user)
            if settings is not None:
                preferences = Preferences.empty(user.id)
                preferences.settings = settings
                await uow.preferences.save(preferences)
            await uow.commit()
        return user.id

    async def page(self, user_id: UUID, role: Role = Role.TECHNICIAN, **query: Any) -> Any:
        actor = Actor(user_id=user_id, role=role)
        return await ListNotifications(self.uow())(ListNotificationsQuery(actor=actor, **query))

    def outbox(self) -> list[str]:
        return [message.name for message in self.store.outbox]


@pytest.fixture
async def kit() -> AsyncIterator[Kit]:
    backend = memory_backend()
    await backend.on_startup()
    yield Kit(MemoryStore(), ChannelsBroadcaster(backend))
    await backend.on_shutdown()


def delivery(event: IntegrationEvent, handler: str, event_id: UUID | None = None) -> Delivery[Any]:
    return Delivery(
        event_id=event_id or uuid.uuid4(), handler=handler, occurred_at=NOW, event=event
    )


def completed(requester: UUID) -> InterventionCompleted:
    return InterventionCompleted(
        intervention_id=uuid.uuid4(),
        title="Seal",
        priority="high",
        equipment_id=uuid.uuid4(),
        equipment_name="Press",
        location=None,
        requester_id=requester,
        technician_id=None,
        completed_at=NOW,
    )


async def test_a_redelivered_event_notifies_once_and_is_pushed_after_commit(kit: Kit) -> None:
    requester = await kit.user(Role.CLIENT)
    await kit.broadcaster.backend.subscribe([notifications_channel(requester)])
    once = delivery(completed(requester), "notifications.completed")
    for _ in range(3):
        await kit.handler(NotifyRequesterCompleted)(once)
    page = await kit.page(requester, Role.CLIENT)
    assert page.page.total == 1
    assert page.unread == 1
    assert page.page.items[0].level == "success"
    assert kit.outbox() == []  # success is not mailed

    async def first() -> dict[str, Any]:
        async for _channel, data in kit.broadcaster.backend.stream_events():
            return dict(json.loads(data))
        raise AssertionError

    pushed = await asyncio.wait_for(first(), 2)
    assert pushed["type"] == "notification"
    assert pushed["id"] == str(page.page.items[0].id)


async def test_a_batch_is_one_transaction_and_skips_what_was_handled(kit: Kit) -> None:
    requester = await kit.user(Role.CLIENT)
    handled = delivery(completed(requester), "notifications.completed")
    await kit.handler(NotifyRequesterCompleted)(handled)
    batch = [handled, delivery(completed(requester), "notifications.completed")]
    await kit.handler(NotifyRequesterCompleted).handle_all(batch)
    assert (await kit.page(requester, Role.CLIENT)).page.total == 2


async def test_equipment_down_tells_every_active_manager_and_requests_mail(kit: Kit) -> None:
    managers = [await kit.user(Role.MANAGER) for _ in range(3)]
    await kit.user(Role.TECHNICIAN)
    event = EquipmentDown(
        equipment_id=uuid.uuid4(),
        equipment_name="Lathe",
        location="Hall B",
        owner_id=None,
        previous_status="operational",
    )
    await kit.handler(NotifyManagersEquipmentDown)(delivery(event, "notifications.equipment_down"))
    for manager in managers:
        page = await kit.page(manager, Role.MANAGER)
        assert [item.title for item in page.page.items] == ["Equipment down"]
    assert kit.outbox() == [NotificationMailRequested.NAME] * 3


async def test_job_failed_tells_the_owner(kit: Kit) -> None:
    owner = await kit.user(Role.CLIENT)
    event = JobFailed(job_id=uuid.uuid4(), kind="tryon", owner_id=owner, error="timeout")
    await kit.handler(NotifyOwnerJobFailed)(delivery(event, "notifications.job_failed"))
    [item] = (await kit.page(owner, Role.CLIENT)).page.items
    assert item.level == "error"
    assert item.data["job_kind"] == "tryon"


async def _mail_request(kit: Kit, owner: UUID) -> Delivery[Any]:
    event = JobFailed(job_id=uuid.uuid4(), kind="transcription", owner_id=owner, error="x")
    await kit.handler(NotifyOwnerJobFailed)(delivery(event, "notifications.job_failed"))
    [item] = (await kit.page(owner)).page.items
    request = NotificationMailRequested(notification_id=item.id, user_id=owner)
    return delivery(request, "notifications.mail")


def sender(kit: Kit) -> SendNotificationMail:
    return SendNotificationMail(kit.uow(), kit.contacts, kit.mailer, JinjaMailRenderer(), "")


async def test_the_mail_request_becomes_one_job_however_often_delivered(kit: Kit) -> None:
    owner = await kit.user(Role.CLIENT)
    request = await _mail_request(kit, owner)
    sent: list[Any] = []

    async def run(ctx: Any, payload: Any) -> Any:
        sent.append(payload)
        return await sender(kit)(UUID(payload["notification_id"]), UUID(payload["user_id"]))

    queue = LocalJobQueue(MemoryJobStore(), Registry([JobDefinition(MAIL_JOB, run)]))
    for _ in range(3):
        await QueueNotificationMail(kit.uow(), queue)(request)
    job = await queue.get(mail_job_key(request.event.notification_id))
    assert job is not None
    assert job.payload == mail_job_payload(request.event)
    assert job.state == "queued"


async def test_mail_has_both_bodies(kit: Kit) -> None:
    owner = await kit.user(Role.CLIENT)
    request = (await _mail_request(kit, owner)).event
    assert await sender(kit)(request.notification_id, owner) is True
    [mail] = kit.mailer.sent
    assert mail.subject.startswith("[Atelier] ")
    assert "transcription" in mail.text
    assert mail.html is not None
    assert "<html" in mail.html
    # the payload must name the notification's own user
    assert await sender(kit)(request.notification_id, uuid.uuid4()) is False
    assert await sender(kit)(uuid.uuid4(), owner) is False


async def test_mail_escapes_html(kit: Kit) -> None:
    owner = await kit.user(Role.CLIENT)
    event = JobFailed(job_id=uuid.uuid4(), kind="x", owner_id=owner, error="<script>x</script>")
    await kit.handler(NotifyOwnerJobFailed)(delivery(event, "notifications.job_failed"))
    [item] = (await kit.page(owner)).page.items
    await sender(kit)(item.id, owner)
    [mail] = kit.mailer.sent
    assert mail.html is not None
    assert "<script>" not in mail.html
    assert "<script>" in mail.text


@pytest.mark.parametrize(
    "settings", [{"notifications": {"email": False}}, {"notifications": False}]
)
async def test_mail_can_be_turned_off(kit: Kit, settings: dict[str, Any]) -> None:
    owner = await kit.user(Role.CLIENT, settings)
    request = (await _mail_request(kit, owner)).event
    assert await sender(kit)(request.notification_id, owner) is False
    assert kit.mailer.sent == []


def test_email_choice() -> None:
    assert accepts_notification_email({})
    assert accepts_notification_email({"notifications": {"email": True}})
    assert accepts_notification_email({"notifications": {"push": False}})
    assert not accepts_notification_email({"notifications": {"email": False}})
    assert not accepts_notification_email({"notifications": False})


async def test_maintenance_due_is_one_notification_per_manager_per_day(kit: Kit) -> None:
    managers = [await kit.user(Role.MANAGER) for _ in range(2)]
    due = [
        DueEquipment(
            equipment_id=uuid.uuid4(), name=f"Pump {i}", location=None, next_maintenance_at=NOW
        )
        for i in range(4)
    ]
    check = CheckMaintenanceDue(kit.uow(), kit.clock, kit.broadcaster, kit.directory, FixedDue(due))
    first = await check()
    again = await check()
    assert (first.equipment, first.notified, again.notified) == (4, 2, 0)
    for manager in managers:
        [item] = (await kit.page(manager, Role.MANAGER)).page.items
        assert "4 equipment" in item.title
        assert all(f"Pump {i}" in item.message for i in range(4))
    kit.clock.advance(days=1)
    assert (await check()).notified == 2
    nothing = CheckMaintenanceDue(
        kit.uow(), kit.clock, kit.broadcaster, kit.directory, FixedDue([])
    )
    assert (await nothing(date(2026, 6, 1))).notified == 0


async def test_list_read_and_catch_up(kit: Kit) -> None:
    me, other = await kit.user(Role.CLIENT), await kit.user(Role.CLIENT)
    handler_runs = []
    for _ in range(4):
        kit.clock.advance(seconds=1)
        handler_runs.append(delivery(completed(me), "notifications.completed"))
        await kit.handler(NotifyRequesterCompleted)(handler_runs[-1])
    newest = (await kit.page(me, Role.CLIENT)).page.items
    assert [item.created_at for item in newest] == sorted(
        (item.created_at for item in newest), reverse=True
    )
    oldest_id = newest[-1].id
    caught_up = await kit.page(me, Role.CLIENT, after=oldest_id)
    assert [item.id for item in caught_up.page.items] == [i.id for i in reversed(newest[:-1])]
    mine = Actor(user_id=me, role=Role.CLIENT)
    with pytest.raises(NotFound):
        await MarkNotificationRead(kit.uow(), kit.clock)(Actor(other, Role.CLIENT), oldest_id)
    await MarkNotificationRead(kit.uow(), kit.clock)(mine, oldest_id)
    page = await kit.page(me, Role.CLIENT, unread=True)
    assert (page.page.total, page.unread) == (3, 3)
    assert await MarkAllNotificationsRead(kit.uow(), kit.clock)(mine) == 3
    assert (await kit.page(me, Role.CLIENT)).unread == 0


class DownBroadcaster:
    """Real time is down (Redis unreachable): publishing fails."""

    async def publish(self, channel: str, message: Any) -> None:
        raise DependencyUnavailable("down", code="realtime_unavailable")


async def test_real_time_down_never_fails_the_handler(kit: Kit) -> None:
    requester = await kit.user(Role.CLIENT)
    handler = NotifyRequesterCompleted(kit.uow(), kit.clock, DownBroadcaster(), kit.directory)
    await handler(delivery(completed(requester), "notifications.completed"))
    assert (await kit.page(requester, Role.CLIENT)).page.total == 1
