"""A technician's secret iCalendar feed: the URL a calendar app subscribes to.

``/planning/technicians/{id}/feed`` (bearer token; the technician themself, managers,
admins): POST issues or rotates the feed and shows its URL once (201), GET tells whether
there is one, DELETE revokes it (204). ``GET /planning/feeds/{token}.ics`` needs no bearer
token -- the secret in the URL is the credential -- and answers the same document as
``GET /planning/technicians/{id}.ics``; an unknown, rotated or revoked token is 404. It has
its own rate-limit bucket (``calendar_feed``, per client address).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, PathParameter

from application.maintenance.commands import CalendarFeedCommand, FeedCalendarQuery
from application.maintenance.use_cases.feed_calendar import FeedCalendar
from application.maintenance.use_cases.get_calendar_feed import GetCalendarFeed
from application.maintenance.use_cases.issue_calendar_feed import IssueCalendarFeed
from application.maintenance.use_cases.revoke_calendar_feed import RevokeCalendarFeed
from domain.maintenance.calendar_feed import TOKEN_LENGTH
from domain.shared.access import Actor
from domain.shared.errors import NotFound
from entrypoints.http.auth import provide_actor
from entrypoints.http.dependencies import container_of
from entrypoints.http.errors import problem_responses
from entrypoints.http.maintenance import ics
from entrypoints.http.maintenance.dependencies import (
    API,
    BEARER,
    FromParam,
    ToParam,
    read_spec,
    use_case,
)
from entrypoints.http.maintenance.schemas.calendar_feeds import (
    CalendarFeedRead,
    IssuedCalendarFeedRead,
)
from entrypoints.http.maintenance.schemas.common import parse_instant
from entrypoints.http.openapi_truth import PATH_PARAMETER_OPT, PathName

FEEDS_PATH = "/planning/feeds"
ICS_SUFFIX = ".ics"
RATE_LIMIT_BUCKET = "calendar_feed"
FeedName = Annotated[
    str,
    PathParameter(max_length=TOKEN_LENGTH + len(ICS_SUFFIX), description="``<token>.ics``"),
]


def feed_url(request: Request[Any, Any, Any], token: str) -> str:
    """The absolute feed URL: ``ATELIER_PUBLIC_URL`` when set, else this request's base."""
    base = container_of(request).settings().public_url.rstrip("/")
    if not base:
        base = str(request.base_url).rstrip("/")
    return f"{base}{API}{FEEDS_PATH}/{token}{ICS_SUFFIX}"


class CalendarFeedsController(Controller):
    """Managing a technician's feed (bearer token)."""

    path = "/planning/technicians/{technician_id:uuid}/feed"
    tags = ["planning"]
    security = BEARER
    dependencies = {"actor": provide_actor}

    @post(
        "/",
        dependencies={"issue": use_case("issue_calendar_feed")},
        summary="Issue or rotate a technician's secret calendar feed URL",
        responses={201: read_spec(IssuedCalendarFeedRead), **problem_responses(401, 403, 404)},
    )
    async def issue(
        self,
        request: Request[Any, Any, Any],
        technician_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        issue: NamedDependency[IssueCalendarFeed],
    ) -> Response[IssuedCalendarFeedRead]:
        """The technician themself, a manager or an admin. A previous feed URL stops working.
        The URL (with its secret) is shown only in this answer; store it in the calendar app."""
        issued = await issue(CalendarFeedCommand(actor=actor, technician_id=technician_id))
        return Response(
            IssuedCalendarFeedRead.of(issued, feed_url(request, issued.token)),
            status_code=201,
            headers={
                "Location": f"{API}/planning/technicians/{technician_id}/feed",
                "Cache-Control": "no-store",
            },
        )

    @get(
        "/",
        dependencies={"get_feed": use_case("get_calendar_feed")},
        summary="Whether a technician has a calendar feed (never its secret)",
        responses=problem_responses(401, 404),
    )
    async def read(
        self,
        technician_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        get_feed: NamedDependency[GetCalendarFeed],
    ) -> CalendarFeedRead:
        """404 when there is none (or the caller may not see it)."""
        view = await get_feed(CalendarFeedCommand(actor=actor, technician_id=technician_id))
        return CalendarFeedRead.of(view)

    @delete(
        "/",
        dependencies={"revoke": use_case("revoke_calendar_feed")},
        summary="Revoke a technician's calendar feed",
        responses=problem_responses(401, 403, 404),
    )
    async def revoke(
        self,
        technician_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        revoke: NamedDependency[RevokeCalendarFeed],
    ) -> None:
        """The feed URL answers 404 from now on."""
        await revoke(CalendarFeedCommand(actor=actor, technician_id=technician_id))


class CalendarFeedController(Controller):
    """The feed itself: no bearer token, the URL carries the secret."""

    path = FEEDS_PATH
    tags = ["planning"]
    security: list[dict[str, list[str]]] = []
    opt = {"rate_limit": RATE_LIMIT_BUCKET}

    @get(
        "/{feed:str}",
        dependencies={"feed_calendar": use_case("feed_calendar")},
        summary="A technician's schedule as iCalendar, for calendar apps (``<token>.ics``)",
        media_type=ics.MEDIA_TYPE,
        responses=problem_responses(404, 422, 429),
        opt={
            PATH_PARAMETER_OPT: {
                "feed": PathName(
                    "token",
                    suffix=".ics",
                    schema={"type": "string", "maxLength": TOKEN_LENGTH},
                    description="The secret token of the feed URL (shown once when issued).",
                )
            }
        },
    )
    async def feed(
        self,
        feed: FeedName,
        feed_calendar: NamedDependency[FeedCalendar],
        starts: FromParam = None,
        ends: ToParam = None,
    ) -> Response[bytes]:
        """RFC 5545, the content of ``GET /planning/technicians/{id}.ics``; ``from``/``to``
        default to 30 days back and 90 days ahead. 404 for an unknown, rotated or revoked
        token."""
        if not feed.endswith(ICS_SUFFIX):
            raise NotFound("No calendar feed at this address.")
        view = await feed_calendar(
            FeedCalendarQuery(
                token=feed.removesuffix(ICS_SUFFIX),
                starts_at=parse_instant("from", starts),
                ends_at=parse_instant("to", ends),
            )
        )
        return Response(
            ics.technician_calendar(view),
            media_type=ics.MEDIA_TYPE,
            headers={
                "Content-Disposition": 'inline; filename="atelier-planning.ics"',
                "Cache-Control": "private, no-store",
                "Referrer-Policy": "no-referrer",
            },
        )
