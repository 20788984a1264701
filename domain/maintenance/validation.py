"""Input validation for the maintenance aggregates.

``Checker`` collects every ``FieldError`` of one operation, then ``raise_if_any()`` raises a
single ``ValidationFailed`` naming all of them (HTTP 422). Each check returns the normalised
value, or a harmless placeholder when the value was refused (the caller raises before using
it), which keeps the aggregates' factories fully typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from domain.shared.errors import FieldError, ValidationFailed

E = TypeVar("E", bound=StrEnum)

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
REPORT_MAX = 10000
REASON_MAX = 1000
NAME_MAX = 200
SHORT_MAX = 100
PHONE_MAX = 32
SKILL_MAX_LEN = 64
SKILLS_MAX = 50
ESTIMATED_MINUTES_MIN = 1
ESTIMATED_MINUTES_MAX = 1440
INTERVAL_DAYS_MIN = 1
INTERVAL_DAYS_MAX = 3650

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ensure_aware(value: datetime, field: str = "timestamp") -> datetime:
    """Return ``value`` in UTC; a naive datetime is a ``ValidationFailed``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationFailed(errors=[FieldError(field, "must be a timezone-aware timestamp")])
    return value.astimezone(UTC)


def normalise_skill_list(values: Iterable[str]) -> tuple[str, ...]:
    """Skills as stored: stripped, lower-cased, de-duplicated, sorted. Raises on bad input."""
    checker = Checker()
    result = checker.skills("skills", list(values))
    checker.raise_if_any()
    return result


def normalise_serial_number(value: str) -> str:
    """The serial number as stored: surrounding blanks removed, inner runs of blanks collapsed."""
    return " ".join(value.split())


def serial_number_key(value: str) -> str:
    """The uniqueness key of a serial number (case- and blank-insensitive).

    Repositories compare (or index) this key to answer 409 ``serial_taken``.
    """
    return "".join(value.split()).casefold()


class Checker:
    """Collects field errors; see the module docstring."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(errors=self.errors)

    # -- text ---------------------------------------------------------------------------
    def text(
        self, field: str, value: object, *, max_len: int, min_len: int = 1, strip: bool = True
    ) -> str:
        """A required string; ``strip`` removes surrounding blanks before measuring."""
        if not isinstance(value, str):
            self.fail(field, "must be a string")
            return ""
        if "\x00" in value:
            self.fail(field, "must not contain NUL characters")
            return ""
        text = value.strip() if strip else value
        if len(text) < min_len or (min_len > 0 and not text.strip()):
            self.fail(field, f"must have at least {min_len} non-blank character(s)")
        elif len(text) > max_len:
            self.fail(field, f"must have at most {max_len} characters")
        return text

    def optional_text(self, field: str, value: object, *, max_len: int) -> str | None:
        """An optional string: ``None`` and blank strings are stored as ``None``."""
        if value is None:
            return None
        text = self.text(field, value, max_len=max_len, min_len=0)
        return text or None

    # -- numbers, flags, choices --------------------------------------------------------
    def integer(self, field: str, value: object, *, low: int, high: int) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(field, "must be an integer")
            return low
        if not low <= value <= high:
            self.fail(field, f"must be between {low} and {high}")
            return low
        return value

    def optional_integer(self, field: str, value: object, *, low: int, high: int) -> int | None:
        return None if value is None else self.integer(field, value, low=low, high=high)

    def boolean(self, field: str, value: object) -> bool:
        if not isinstance(value, bool):
            self.fail(field, "must be a boolean")
            return False
        return value

    def choice(self, field: str, value: object, enum: type[E]) -> E:
        """An enumeration member, given as the member or its string value."""
        allowed = [member.value for member in enum]
        if isinstance(value, str) and value in allowed:
            return enum(value)
        self.fail(field, f"must be one of: {', '.join(allowed)}")
        return next(iter(enum))

    def uuid(self, field: str, value: object) -> UUID:
        if isinstance(value, UUID):
            return value
        self.fail(field, "must be a UUID")
        return UUID(int=0)

    def optional_uuid(self, field: str, value: object) -> UUID | None:
        return None if value is None else self.uuid(field, value)

    # -- time ---------------------------------------------------------------------------
    def timestamp(self, field: str, value: object) -> datetime:
        """A timezone-aware datetime, returned in UTC."""
        if not isinstance(value, datetime):
            self.fail(field, "must be a timestamp")
            return _EPOCH
        if value.tzinfo is None or value.utcoffset() is None:
            self.fail(field, "must be a timezone-aware timestamp")
            return _EPOCH
        return value.astimezone(UTC)

    def optional_timestamp(self, field: str, value: object) -> datetime | None:
        return None if value is None else self.timestamp(field, value)

    def optional_date(self, field: str, value: object) -> date | None:
        if value is None:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            self.fail(field, "must be a date")
            return None
        return value

    # -- collections --------------------------------------------------------------------
    def skills(self, field: str, value: object) -> tuple[str, ...]:
        """Skills: each 1..64 characters after stripping, at most 50, lower-cased, de-duplicated
        and sorted (a deterministic tuple)."""
        if isinstance(value, str) or not isinstance(value, Iterable):
            self.fail(field, "must be a list of strings")
            return ()
        items = list(value)
        found: set[str] = set()
        for index, item in enumerate(items):
            if not isinstance(item, str):
                self.fail(f"{field}[{index}]", "must be a string")
                continue
            if "\x00" in item:
                self.fail(f"{field}[{index}]", "must not contain NUL characters")
                continue
            skill = " ".join(item.split()).lower()
            if not 1 <= len(skill) <= SKILL_MAX_LEN:
                self.fail(f"{field}[{index}]", f"must have 1 to {SKILL_MAX_LEN} characters")
                continue
            found.add(skill)
        if len(found) > SKILLS_MAX:
            self.fail(field, f"must have at most {SKILLS_MAX} skills")
        return tuple(sorted(found))
