"""A technician's secret calendar feed, on the memory adapters: who may issue, rotate and
revoke it, what the feed answers, and that only a hash of the secret is kept."""

from __future__ import annotations

from typing import Any

import pytest

from application.maintenance.commands import (
    AssignInterventionCommand,
    CalendarFeedCommand,
    CreateTechnicianCommand,
    FeedCalendarQuery,
    TechnicianCalendarQuery,
)
from application.maintenance.use_cases.assign_intervention import AssignIntervention
from application.maintenance.use_cases.create_technician import CreateTechnician
from application.maintenance.use_cases.feed_calendar import FeedCalendar
from application.maintenance.use_cases.get_calendar_feed import GetCalendarFeed
from application.maintenance.use_cases.issue_calendar_feed import IssueCalendarFeed
from application.maintenance.use_cases.revoke_calendar_feed import RevokeCalendarFeed
from application.maintenance.use_cases.technician_calendar import GetTechnicianCalendar
from application.maintenance.views import TechnicianView
from domain.shared.access import Actor, Role
from domain.shared.errors import NotFound

from .conftest import Kit, at


async def _marie(kit: Kit) -> tuple[Actor, TechnicianView]:
    actor = kit.actor(Role.TECHNICIAN, first_name="Marie", last_name="Dubois")
    view = await kit.run(
        CreateTechnician, CreateTechnicianCommand(actor=kit.admin, user_id=actor.user_id)
    )
    return actor, view


async def _issue(kit: Kit, actor: Actor, technician_id: Any) -> Any:
    return await kit.run(
        IssueCalendarFeed, CalendarFeedCommand(actor=actor, technician_id=technician_id)
    )


async def _feed(kit: Kit, token: str, **kw: Any) -> Any:
    return await kit.run(FeedCalendar, FeedCalendarQuery(token=token, **kw))


async def test_the_feed_shows_the_technicians_week_with_names(kit: Kit) -> None:
    actor, marie = await _marie(kit)
    machine = await kit.equipment(name="Hydraulic press 3", location="Hall B")
    work = await kit.intervention(machine.id, title="Replace the seal")
    await kit.run(
        AssignIntervention,
        AssignInterventionCommand(
            actor=kit.manager,
            intervention_id=work.id,
            technician_id=marie.id,
            scheduled_at=at(1, 9),
            estimated_minutes=90,
        ),
    )
    issued = await _issue(kit, actor, marie.id)  # the technician themself
    calendar = await _feed(kit, issued.token)
    assert calendar.technician_name == "Marie Dubois"
    assert [e.intervention.title for e in calendar.entries] == ["Replace the seal"]
    assert calendar.equipment[machine.id].name == "Hydraulic press 3"
    assert calendar.equipment[machine.id].location == "Hall B"
    # the bearer route answers the same content
    same = await kit.run(
        GetTechnicianCalendar, TechnicianCalendarQuery(actor=actor, technician_id=marie.id)
    )
    assert (same.technician_name, same.entries, same.equipment) == (
        calendar.technician_name,
        calendar.entries,
        calendar.equipment,
    )
    assert (same.starts_at, same.ends_at) == (calendar.starts_at, calendar.ends_at)
    narrow = await _feed(kit, issued.token, starts_at=at(2, 0), ends_at=at(3, 0))
    assert narrow.entries == ()


async def test_only_a_hash_of_the_secret_is_kept(kit: Kit) -> None:
    actor, marie = await _marie(kit)
    issued = await _issue(kit, actor, marie.id)
    async with kit.uow() as uow:
        stored = await uow.feeds.get_for_technician(marie.id)
    assert stored is not None
    assert issued.token[32:] not in repr(stored)
    assert stored.secret_hash != issued.token[32:]
    seen = await kit.run(GetCalendarFeed, CalendarFeedCommand(actor=actor, technician_id=marie.id))
    assert (seen.technician_id, seen.created_by) == (marie.id, actor.user_id)
    assert not hasattr(seen, "token")


async def test_rotation_and_revocation_end_the_old_url(kit: Kit) -> None:
    actor, marie = await _marie(kit)
    first = await _issue(kit, actor, marie.id)
    second = await _issue(kit, kit.manager, marie.id)  # a manager rotates it
    assert second.token != first.token
    with pytest.raises(NotFound):
        await _feed(kit, first.token)
    assert (await _feed(kit, second.token)).technician.id == marie.id
    await kit.run(RevokeCalendarFeed, CalendarFeedCommand(actor=kit.admin, technician_id=marie.id))
    with pytest.raises(NotFound):
        await _feed(kit, second.token)
    with pytest.raises(NotFound):  # nothing left to revoke
        await kit.run(RevokeCalendarFeed, CalendarFeedCommand(actor=actor, technician_id=marie.id))
    with pytest.raises(NotFound):
        await kit.run(GetCalendarFeed, CalendarFeedCommand(actor=actor, technician_id=marie.id))


async def test_wrong_or_malformed_tokens_are_all_the_same_404(kit: Kit) -> None:
    actor, marie = await _marie(kit)
    token = (await _issue(kit, actor, marie.id)).token
    wrong_secret = token[:32] + ("A" if token[32] != "A" else "B") + token[33:]
    for bad in (wrong_secret, "0" * 32 + token[32:], token[:-1], "", "x" * 75):
        with pytest.raises(NotFound) as caught:
            await _feed(kit, bad)
        assert caught.value.detail == "No calendar feed at this address."
    # a bad period with a bad token is still the 404: nothing is judged before the token
    with pytest.raises(NotFound):
        await _feed(kit, wrong_secret, starts_at=at(3, 0), ends_at=at(1, 0))


async def test_who_may_manage_a_feed(kit: Kit) -> None:
    _, marie = await _marie(kit)
    colleague, _ = await kit.technician()
    client = kit.actor(Role.CLIENT)
    for outsider in (colleague, client):  # hidden from them: 404, never 403
        with pytest.raises(NotFound):
            await _issue(kit, outsider, marie.id)
        with pytest.raises(NotFound):
            await kit.run(
                GetCalendarFeed, CalendarFeedCommand(actor=outsider, technician_id=marie.id)
            )
    for staff in (kit.manager, kit.admin):
        assert (await _issue(kit, staff, marie.id)).technician_id == marie.id
    audit = [e for e in kit.store.tables["audit_log"].values() if e.entity_type == "calendar_feed"]
    assert sorted(e.action for e in audit) == ["create", "rotate"]
    assert all(token_free(e.changes) for e in audit)


def token_free(changes: Any) -> bool:
    """The audit trail records feed ids, never a secret."""
    return all(len(str(v)) == 36 or v is None for pair in changes.values() for v in pair)
