"""A technician's schedule as an RFC 5545 iCalendar document (``icalendar`` package).

The calendar is named after the technician (``X-WR-CALNAME: Atelier - <first> <last>``).
One ``VEVENT`` per planning entry: ``UID`` ``<entry id>@atelier`` (stable across exports),
``DTSTAMP`` the generation time, ``DTSTART``/``DTEND`` in UTC, ``SEQUENCE`` the entry's
version (so calendar clients pick up reschedules), ``SUMMARY`` the intervention's title and
the equipment's name, ``LOCATION`` the equipment's location, and a ``DESCRIPTION`` in words
(ids only on its last line, as a reference).
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from application.maintenance.views import CalendarEquipment, CalendarView, PlanningEntryView

PRODID = "-//Atelier//Maintenance planning//EN"
UID_DOMAIN = "atelier"
MEDIA_TYPE = "text/calendar; charset=utf-8"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _words(value: str) -> str:
    return value.replace("_", " ")


def _event(entry: PlanningEntryView, equipment: CalendarEquipment | None, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{entry.id}@{UID_DOMAIN}")
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(entry.scheduled_at))
    event.add("dtend", _utc(entry.ends_at))
    event.add("sequence", max(0, entry.version))
    work = entry.intervention
    title = work.title if work is not None else "Planned intervention"
    event.add("summary", f"{title} - {equipment.name}" if equipment is not None else title)
    if equipment is not None and equipment.location:
        event.add("location", equipment.location)
    lines = [title]
    if equipment is not None:
        lines.append(
            f"Equipment: {equipment.name} ({equipment.type}, serial {equipment.serial_number})"
        )
        if equipment.location:
            lines.append(f"Location: {equipment.location}")
    if work is not None:
        urgent = " (urgent)" if work.urgent else ""
        lines += [
            f"Type: {_words(work.type.value)}",
            f"Priority: {work.priority.value}{urgent}",
            f"Status: {_words(work.status.value)}",
        ]
    lines += [
        f"Estimated minutes: {entry.estimated_minutes}",
        f"Reference: intervention {entry.intervention_id}",
    ]
    event.add("description", "\n".join(lines))
    return event


def technician_calendar(view: CalendarView) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Atelier - {view.technician_name or 'technician'}")
    for entry in view.entries:
        work = entry.intervention
        equipment = view.equipment.get(work.equipment_id) if work is not None else None
        calendar.add_component(_event(entry, equipment, view.generated_at))
    data: bytes = calendar.to_ical()
    return data
