"""The rules of API.md as pure functions: who is told, at which level, at most once each."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from application.contracts.jobs import JobCompleted, JobFailed
from application.contracts.maintenance import (
    DueEquipment,
    EquipmentDown,
    InterventionAssigned,
    InterventionCancelled,
    InterventionCompleted,
    InterventionEscalated,
    InterventionStarted,
)
from application.notifications import rules
from domain.notifications.notification import MESSAGE_MAX, TITLE_MAX, Draft, Level, Notification

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
REQUESTER, TECH_USER = uuid.uuid4(), uuid.uuid4()


def facts(**extra: object) -> dict[str, object]:
    return {
        "intervention_id": uuid.uuid4(),
        "title": "Press leaking oil",
        "priority": "critical",
        "equipment_id": uuid.uuid4(),
        "equipment_name": "Press P-12",
        "location": "Hall A",
        "requester_id": REQUESTER,
        **extra,
    }


def test_assignment_tells_the_technician_with_a_mailed_level() -> None:
    event = InterventionAssigned(
        **facts(),
        technician_id=uuid.uuid4(),
        technician_user_id=TECH_USER,
        scheduled_at=NOW,
        estimated_minutes=90,
    )
    [draft] = rules.assigned(event)
    assert draft.user_id == TECH_USER
    assert draft.level is Level.WARNING
    assert draft.level.mailed
    assert "Press leaking oil" in draft.message
    assert "Press P-12 (Hall A)" in draft.message
    assert draft.data["intervention_id"] == str(event.intervention_id)


def test_life_cycle_tells_the_requester() -> None:
    started = InterventionStarted(**facts(), technician_id=None, started_at=NOW)
    completed = InterventionCompleted(**facts(), technician_id=None, completed_at=NOW)
    cancelled = InterventionCancelled(**facts(), previous_status="open", reason="duplicate")
    drafts = [*rules.started(started), *rules.completed(completed), *rules.cancelled(cancelled)]
    assert [d.user_id for d in drafts] == [REQUESTER] * 3
    assert [d.level for d in drafts] == [Level.INFO, Level.SUCCESS, Level.WARNING]
    assert "duplicate" in drafts[2].message


uuids = st.lists(st.uuids(), max_size=12)


@given(managers=uuids)
def test_escalation_and_breakdown_tell_every_manager_once(managers: list[uuid.UUID]) -> None:
    doubled = managers + managers[:3]
    escalated = InterventionEscalated(**facts(), created_at=NOW, escalated_at=NOW)
    down = EquipmentDown(
        equipment_id=uuid.uuid4(),
        equipment_name="Lathe",
        location=None,
        owner_id=None,
        previous_status="operational",
    )
    for drafts in (rules.escalated(escalated, doubled), rules.equipment_down(down, doubled)):
        assert [d.user_id for d in drafts] == list(dict.fromkeys(managers))
        assert all(d.level is Level.ERROR for d in drafts)


due_items = st.lists(
    st.builds(
        DueEquipment,
        equipment_id=st.uuids(),
        name=st.text(min_size=1, max_size=30),
        location=st.none() | st.text(max_size=20),
        next_maintenance_at=st.just(NOW),
    ),
    max_size=80,
)


@given(due=due_items, managers=uuids)
def test_maintenance_due_is_one_notification_per_manager_listing_everything(
    due: list[DueEquipment], managers: list[uuid.UUID]
) -> None:
    drafts = rules.maintenance_due(date(2026, 5, 4), due, managers)
    if not due:
        assert drafts == []
        return
    assert [d.user_id for d in drafts] == list(dict.fromkeys(managers))
    for draft in drafts:
        assert draft.data["equipment_ids"] == [str(item.equipment_id) for item in due]
        assert str(len(due)) in draft.title
        shown = min(len(due), rules.DUE_LISTED_MAX)
        for item in due[:shown]:
            assert item.name in draft.message
        if len(due) > shown:
            assert f"and {len(due) - shown} more" in draft.message


def test_jobs_tell_their_owner() -> None:
    owner = uuid.uuid4()
    result = uuid.uuid4()
    [done] = rules.job_completed(
        JobCompleted(job_id=uuid.uuid4(), kind="tryon", owner_id=owner, result_id=result)
    )
    [failed] = rules.job_failed(
        JobFailed(job_id=uuid.uuid4(), kind="transcription", owner_id=owner, error="bad audio")
    )
    assert (done.user_id, done.level, done.data["result_id"]) == (owner, Level.SUCCESS, str(result))
    assert (failed.user_id, failed.level) == (owner, Level.ERROR)
    assert "bad audio" in failed.message


@given(title=st.text(max_size=500), message=st.text(max_size=5000))
def test_notifications_are_cut_to_the_stored_lengths(title: str, message: str) -> None:
    draft = Draft(user_id=uuid.uuid4(), title=title, message=message, level=Level.INFO)
    item = Notification.from_draft(draft, now=NOW)
    assert len(item.title) <= TITLE_MAX
    assert len(item.message) <= MESSAGE_MAX
    if len(title) <= TITLE_MAX:
        assert item.title == title
    assert not item.read
    assert item.mark_read(NOW)
    assert not item.mark_read(NOW)
