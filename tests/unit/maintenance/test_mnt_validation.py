from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.maintenance.validation import (
    ensure_aware,
    normalise_serial_number,
    normalise_skill_list,
    serial_number_key,
)
from domain.shared.errors import ValidationFailed

from .factories import T0, make_intervention


def fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {e.field for e in exc.value.errors}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"description": "d" * 5001}, "description"),
        ({"description": "nul\x00"}, "description"),
        ({"required_skills": ["x" * 65]}, "required_skills[0]"),
        ({"required_skills": [f"s{i}" for i in range(51)]}, "required_skills"),
        ({"priority": "urgent"}, "priority"),
        ({"type": "repair"}, "type"),
        ({"due_at": datetime(2026, 1, 1)}, "due_at"),
    ],
)
def test_create_refuses_bad_input(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_intervention(**overrides)
    assert field in fields(exc)


def test_all_errors_are_reported_together() -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_intervention(title="", priority="nope", description="x\x00")
    assert fields(exc) == {"title", "priority", "description"}


def test_limits_are_inclusive() -> None:
    item = make_intervention(title="t" * 200, description="d" * 5000)
    assert len(item.title) == 200
    assert len(item.description) == 5000


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        ensure_aware(datetime(2026, 1, 1))


def test_aware_timestamps_are_normalised_to_utc() -> None:
    local = datetime.fromisoformat("2026-11-16T10:00:00+02:00")
    assert ensure_aware(local) == T0.replace(hour=8)
    assert ensure_aware(local).utcoffset() is not None


@settings(max_examples=150)
@given(st.lists(st.text(min_size=1, max_size=20).filter(lambda s: s.strip() and "\x00" not in s)))
def test_skills_are_normalised_lower_sorted_unique(raw: list[str]) -> None:
    try:
        skills = normalise_skill_list(raw)
    except ValidationFailed:
        assert len({" ".join(s.split()).lower() for s in raw}) > 50
        return
    assert list(skills) == sorted(set(skills))
    assert all(s == s.lower() and s == s.strip() and 1 <= len(s) <= 64 for s in skills)
    assert normalise_skill_list(skills) == skills  # idempotent


def test_skills_duplicates_collapse() -> None:
    assert normalise_skill_list(["Hydraulics", " hydraulics ", "PLC  Programming"]) == (
        "hydraulics",
        "plc programming",
    )


def test_serial_normalisation_and_key() -> None:
    assert normalise_serial_number("  PH001   2023 ") == "PH001 2023"
    assert serial_number_key("ph001 2023") == serial_number_key(" PH0012023 ")
    assert serial_number_key("A-1") != serial_number_key("A-2")
