"""A technician's schedule as an RFC 5545 iCalendar document (``icalendar`` package).

One ``VEVENT`` per planning entry: ``UID`` ``<entry id>@atelier`` (stable across exports),
``DTSTAMP`` the generation time, ``DTSTART``/``DTEND`` in UTC, ``SEQUENCE`` the entry's
version (so calendar clients pick up reschedules), ``SUMMARY`` and ``DESCRIPTION``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from application.maintenance.views import CalendarView, PlanningEntryView

PRODID = "-//Atelier//Maintenance planning//EN"
UID_DOMAIN = "atelier"
MEDIA_TYPE = "text/calendar; charset=utf-8"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _event(entry: PlanningEntryView, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{entry.id}@{UID_DOMAIN}")
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(entry.scheduled_at))
    event.add("dtend", _utc(entry.ends_at))
    event.add("sequence", max(0, entry.version))
    summary = entry.intervention
    if summary is not None:
        event.add("summary", summary.title)
        event.add(
            "description",
            "\n".join(
                (
                    f"Intervention {summary.id}",
                    f"Type: {summary.type.value}",
                    f"Priority: {summary.priority.value}" + (" (urgent)" if summary.urgent else ""),
                    f"Status: {summary.status.value}",
                    f"Equipment: {summary.equipment_id}",
                    f"Estimated minutes: {entry.estimated_minutes}",
                )
            ),
        )
    else:
        event.add("summary", f"Intervention {entry.intervention_id}")
        event.add("description", f"Estimated minutes: {entry.estimated_minutes}")
    return event


def technician_calendar(view: CalendarView) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Atelier - technician {view.technician.id}")
    for entry in view.entries:
        calendar.add_component(_event(entry, view.generated_at))
    data: bytes = calendar.to_ical()
    return data
