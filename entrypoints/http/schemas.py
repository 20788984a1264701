"""Building blocks for the msgspec schemas and query parameters of every controller.

- Constrained types: every string has a maximum length and every integer a range, so msgspec
  answers 422 beyond them (``Name``, ``ShortText``, ``LongText``, ``Email``, ``Password``,
  ``Count``, ``Minutes``...).
- Lists: ``Page[T]`` (``{items, total, limit, offset}``), ``provide_page`` (``limit``: default
  50, capped at 200; ``offset``; negative or non-integer -> 422) and ``sort_provider`` (``sort``
  against an allow-list, optional leading ``-``).
- Concurrency: ``etag_for(version)`` -> ``'"3"'`` and ``parse_if_match(header)``.
- Time query parameters: ``parse_instant`` is the one parser of ``from``/``to``/
  ``created_from``/``created_to``: an RFC 3339 timestamp with an offset, or a date (00:00 UTC
  that day).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.params import HeaderParameter, QueryParameter

from domain.shared.errors import BadRequest, FieldError, ValidationFailed

T = TypeVar("T")

# -- constrained scalar types -----------------------------------------------------------------
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
Text = Annotated[str, msgspec.Meta(max_length=2_000)]
LongText = Annotated[str, msgspec.Meta(max_length=20_000)]
# The identity rule (``domain.identity.values.email_problem``) as a pattern: a local part of 1
# to 64 characters, one ``@``, two or more dot-separated labels not starting with ``-``; no
# whitespace or control character anywhere.
_NOT_IN_EMAIL = (
    "@\\s\\x00-\\x1f\\x7f-\\x9f\\xad\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\ufeff"
)
_LABEL = f"(?!-)[^.{_NOT_IN_EMAIL}]+"
EMAIL_PATTERN = f"^[^{_NOT_IN_EMAIL}]{{1,64}}@{_LABEL}(?:\\.{_LABEL})+$"
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=EMAIL_PATTERN)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1_024)]
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=4_096)]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=100)]
Count = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
Minutes = Annotated[int, msgspec.Meta(ge=1, le=60 * 24 * 30)]
Days = Annotated[int, msgspec.Meta(ge=1, le=3_650)]
Version = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]

# -- pagination --------------------------------------------------------------------------------
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 2**31 - 1


class Page(msgspec.Struct, Generic[T]):
    """The shape of every list answer."""

    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    offset: int

    def page(self, items: list[T], total: int) -> Page[T]:
        return Page(items=items, total=total, limit=self.limit, offset=self.offset)


def provide_page(
    limit: Annotated[
        int, QueryParameter(name="limit", ge=0, description="Page size (capped at 200).")
    ] = DEFAULT_LIMIT,
    offset: Annotated[
        int, QueryParameter(name="offset", ge=0, le=MAX_OFFSET, description="Items to skip.")
    ] = 0,
) -> PageParams:
    """``Provide(provide_page, sync_to_thread=False)`` as the ``page`` dependency."""
    return PageParams(limit=min(limit, MAX_LIMIT), offset=offset)


# -- sorting -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Sort:
    field: str
    descending: bool = False

    def __str__(self) -> str:
        return f"-{self.field}" if self.descending else self.field


def parse_sort(value: str | None, allowed: Collection[str], default: str) -> Sort:
    """``name`` / ``-name`` among ``allowed``; anything else is 422 on the ``sort`` field."""
    raw = value if value else default
    descending = raw.startswith("-")
    field = raw[1:] if descending else raw
    if field not in allowed:
        choices = ", ".join(sorted(allowed))
        raise ValidationFailed(
            errors=[FieldError(field="sort", message=f"must be one of {choices}, optionally -")]
        )
    return Sort(field=field, descending=descending)


def sort_provider(allowed: Collection[str], default: str) -> Callable[..., Sort]:
    """A dependency function: ``dependencies={"sort": Provide(sort_provider({...}, "-created_at"),
    sync_to_thread=False)}``."""
    allowed_set = frozenset(allowed)

    choices = "|".join(re.escape(name) for name in sorted(allowed_set))
    sort_parameter = Annotated[
        str | None,
        QueryParameter(
            name="sort",
            max_length=64,
            description=f"One of {', '.join(sorted(allowed_set))}; a leading - sorts descending.",
            # documented only: parse_sort answers 422 naming ``sort``
            schema_extra={"pattern": f"^(-?({choices}))?$"},
        ),
    ]

    def provide_sort(sort_by: str | None = None) -> Sort:
        return parse_sort(sort_by, allowed_set, default)

    # a real object, not a string: this module's postponed annotations cannot see the locals
    provide_sort.__annotations__["sort_by"] = sort_parameter
    return provide_sort


# -- ETag / If-Match ---------------------------------------------------------------------------
def etag_for(version: int) -> str:
    """The strong ETag of a resource version: ``'"3"'``."""
    return f'"{version}"'


IF_MATCH_PATTERN = r'^(\*|"[0-9]{1,20}")$'


def parse_if_match(header: str | None) -> int | None:
    """The version an ``If-Match`` header asks for; ``None`` when absent or ``*``.

    Only a single strong ETag made of digits is understood; a weak (``W/``) tag, a list or
    anything else is a 400 ``malformed_if_match`` (the client is wrong, not stale). A stale but
    well-formed version is the use case's business: ``PreconditionFailed`` -> 412.
    """
    if header is None:
        return None
    value = header.strip()
    if value == "*":
        return None
    if len(value) < 3 or len(value) > 22 or value[0] != '"' or value[-1] != '"':
        raise _bad_if_match()
    inner = value[1:-1]
    if not inner.isascii() or not inner.isdigit():
        raise _bad_if_match()
    return int(inner)


def _bad_if_match() -> BadRequest:
    return BadRequest(
        'If-Match must be one strong ETag as sent in ETag, e.g. "3".', code="malformed_if_match"
    )


def provide_if_match(
    if_match: Annotated[
        str | None,
        HeaderParameter(
            name="If-Match",
            description='The ETag of the version the change applies to (`"3"`), or `*`; '
            "anything else is 400 `malformed_if_match`.",
            # documented only: parse_if_match checks it (400, not Litestar's 422)
            schema_extra={"pattern": IF_MATCH_PATTERN, "maxLength": 22},
        ),
    ] = None,
) -> int | None:
    """Dependency: the expected version from ``If-Match`` (or ``None``)."""
    return parse_if_match(if_match)


# -- time query parameters -------------------------------------------------------------------
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_INSTANT_CHARS = 40
#: What ``from``/``to`` accept: a date, or an RFC 3339 timestamp with its offset.
INSTANT_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$"
)
_INSTANT = re.compile(INSTANT_PATTERN)


def parse_instant(field: str, value: str | None) -> datetime | None:
    """``2026-11-21T09:00:00Z`` / ``...+02:00`` (to UTC) or ``2026-11-21`` (00:00 UTC);
    ``None`` stays ``None``; anything else is a 422 naming ``field``."""
    if value is None:
        return None
    text = value
    try:
        if len(text) > MAX_INSTANT_CHARS or not _INSTANT.fullmatch(text):
            raise ValueError(text)
        if _DATE.match(text):
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        if "T" not in text.upper() and " " not in text:
            raise ValueError(text)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise _bad_instant(field) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _bad_instant(field)
    return parsed.astimezone(UTC)


def _bad_instant(field: str) -> ValidationFailed:
    return ValidationFailed(
        errors=[
            FieldError(
                field,
                "must be an RFC 3339 timestamp with an offset (2026-11-21T09:00:00Z) "
                "or a date (2026-11-21)",
            )
        ]
    )
