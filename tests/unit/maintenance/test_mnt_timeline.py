"""The report's timeline in words: whatever the audit entry, the sentence names people,
shows plain times, and never prints ``None``, ``->`` or an id that has a name."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from application.maintenance.timeline import Narrator, plain_time

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ZOE, TECH = str(uuid.uuid4()), str(uuid.uuid4())
NARRATOR = Narrator({ZOE: "Zoë Łukasiewicz", TECH: "Иван Петров"})
AT = datetime(2026, 11, 21, 9, 5, tzinfo=UTC)

values = st.one_of(
    st.none(),
    st.sampled_from([ZOE, TECH, "2026-11-24T08:00:00Z", "high", "done", 90, True, ["a", "b"]]),
)
fields = st.sampled_from(
    ["status", "technician_id", "scheduled_at", "estimated_minutes", "started_at", "report",
     "cancel_reason", "priority", "title", "due_at", "urgent", "required_skills"]
)  # fmt: skip
actions = st.sampled_from(
    ["create", "update", "assign", "unassign", "start", "complete", "cancel", "escalate",
     "reschedule", "record_maintenance"]
)  # fmt: skip


@given(
    action=actions,
    actor=st.sampled_from([ZOE, TECH, None]),
    changes=st.dictionaries(fields, st.tuples(values, values), max_size=5),
)
def test_sentences_read_as_words(action: str, actor: str | None, changes: dict) -> None:
    text = NARRATOR.sentence(AT, action, actor, {k: list(v) for k, v in changes.items()})
    assert text.startswith("21 Nov 2026, 09:05 UTC: ")
    assert "None" not in text
    assert "->" not in text
    assert not UUID_TEXT.search(text)
    assert "2026-11-24T08:00:00Z" not in text


def test_the_usual_life_cycle() -> None:
    assign = NARRATOR.sentence(
        AT, "assign", ZOE,
        {"technician_id": [None, TECH], "scheduled_at": [None, "2026-11-24T08:00:00Z"],
         "estimated_minutes": [None, 90], "status": ["open", "planned"]},
    )  # fmt: skip
    assert assign == (
        "21 Nov 2026, 09:05 UTC: Zoë Łukasiewicz assigned the intervention to Иван Петров "
        "for 24 Nov 2026, 08:00 UTC (90 minutes)."
    )
    assert NARRATOR.sentence(AT, "start", TECH, {}).endswith("Иван Петров started the work.")
    cancelled = NARRATOR.sentence(AT, "cancel", ZOE, {"cancel_reason": [None, "Doublon"]})
    assert cancelled.endswith("Zoë Łukasiewicz cancelled the intervention: Doublon.")
    unknown = NARRATOR.sentence(AT, "start", str(uuid.uuid4()), {})
    assert unknown.endswith("a former user started the work.")
    assert plain_time("not a time") == "not a time"
