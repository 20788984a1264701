"""The intervention report's timeline in words: who did what, when, with people's names and
plain times (no ids where a name exists, no ``None -> x``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

SYSTEM = "Atelier"
UNKNOWN_PERSON = "a former user"
_FIELD_LABELS = {
    "title": "the title",
    "description": "the description",
    "priority": "the priority",
    "type": "the type",
    "urgent": "the urgency",
    "due_at": "the due date",
    "required_skills": "the required skills",
    "scheduled_at": "the appointment",
    "estimated_minutes": "the estimated duration",
    "technician_id": "the technician",
    "equipment_id": "the equipment",
    "report": "the report",
    "cancel_reason": "the cancellation reason",
    "status": "the status",
}
_TIME_FIELDS = {"due_at", "scheduled_at", "started_at", "completed_at", "escalated_at",
                "created_at"}  # fmt: skip


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def plain_time(value: object) -> str:
    """``2026-11-21T09:00:00Z`` -> ``21 Nov 2026, 09:00 UTC``."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    else:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def _new(changes: Mapping[str, Any], name: str) -> Any:
    pair = changes.get(name)
    if isinstance(pair, list | tuple) and len(pair) == 2:
        return pair[1]
    return None


def _old(changes: Mapping[str, Any], name: str) -> Any:
    pair = changes.get(name)
    if isinstance(pair, list | tuple) and len(pair) == 2:
        return pair[0]
    return None


class Narrator:
    """Turns audit entries into sentences; ``people`` maps user ids and technician profile
    ids (as strings) to names."""

    def __init__(self, people: Mapping[str, str]) -> None:
        self._people = people

    def person(self, value: object) -> str:
        if value is None:
            return SYSTEM
        return self._people.get(str(value), UNKNOWN_PERSON)

    def value(self, field: str, value: object) -> str:
        if value is None or value == "" or value == []:
            return "nothing"
        if isinstance(value, str) and _UUID.match(value):  # a name when there is one
            return self._people.get(value, f"#{value[:8]}")
        if field in _TIME_FIELDS:
            return plain_time(value)
        if field == "technician_id":
            return self.person(value)
        if field == "estimated_minutes":
            return f"{value} minutes"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list | tuple):
            return ", ".join(self.value(field, v) for v in value)
        text = str(value)
        if _INSTANT.match(text):
            return plain_time(text)
        return text if len(text) <= 120 else text[:117] + "..."

    def sentence(
        self, at: datetime, action: str, actor_id: object, changes: Mapping[str, Any]
    ) -> str:
        who = self.person(actor_id)
        body = self._body(who, action, changes)
        return f"{plain_time(at)}: {body}"

    def _body(self, who: str, action: str, changes: Mapping[str, Any]) -> str:
        if action == "create":
            parts = []
            if priority := _new(changes, "priority"):
                parts.append(f"{self.value('priority', priority)} priority")
            if due := _new(changes, "due_at"):
                parts.append(f"due {self.value('due_at', due)}")
            details = f" ({', '.join(parts)})" if parts else ""
            return f"{who} opened the intervention{details}."
        if action == "assign":
            technician = (
                self.person(_new(changes, "technician_id")) if "technician_id" in changes else None
            )
            when = _new(changes, "scheduled_at")
            minutes = _new(changes, "estimated_minutes")
            text = f"{who} assigned the intervention"
            if technician:
                previous = _old(changes, "technician_id")
                if previous is not None:
                    text = f"{who} reassigned the intervention from {self.person(previous)}"
                text += f" to {technician}"
            if when:
                text += f" for {self.value('scheduled_at', when)}"
            if minutes:
                text += f" ({self.value('estimated_minutes', minutes)})"
            return text + "."
        if action == "unassign":
            previous = _old(changes, "technician_id")
            whom = f" of {self.person(previous)}" if previous is not None else ""
            return f"{who} removed the assignment{whom}."
        if action == "start":
            return f"{who} started the work."
        if action == "complete":
            report = _new(changes, "report")
            tail = f' Report: "{self.value("report", report)}"' if report else ""
            return f"{who} completed the intervention.{tail}"
        if action == "cancel":
            reason = _new(changes, "cancel_reason")
            return f"{who} cancelled the intervention" + (
                f": {self.value('cancel_reason', reason)}." if reason else "."
            )
        if action == "escalate":
            return "The intervention was escalated to the managers (critical and still unassigned)."
        if action == "reschedule":
            when = _new(changes, "scheduled_at")
            if when:
                return f"{who} moved the appointment to {self.value('scheduled_at', when)}."
            return f"{who} rescheduled the intervention."
        return f"{who} {self._changes_text(action, changes)}."

    def _changes_text(self, action: str, changes: Mapping[str, Any]) -> str:
        verb = "updated the intervention" if action == "update" else action.replace("_", " ")
        parts = []
        for field, pair in changes.items():
            if not (isinstance(pair, list | tuple) and len(pair) == 2):
                continue
            old, new = pair
            label = _FIELD_LABELS.get(field, field.replace("_", " "))
            if old is None or old == "" or old == []:
                parts.append(f"set {label} to {self.value(field, new)}")
            elif new is None or new == "" or new == []:
                parts.append(f"cleared {label}")
            else:
                parts.append(
                    f"changed {label} from {self.value(field, old)} to {self.value(field, new)}"
                )
        return f"{verb}: " + "; ".join(parts) if parts else verb
