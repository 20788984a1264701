"""Validation of the media library's values: names, descriptions, ``#RRGGBB`` colours."""

from __future__ import annotations

import re

from domain.shared.errors import FieldError, ValidationFailed

NAME_MAX = 100
DESCRIPTION_MAX = 2_000
TITLE_MAX = 200
HEX_PATTERN = re.compile(r"#[0-9A-Fa-f]{6}")


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}.", errors=[FieldError(field, message)])


def _no_nul(field: str, value: str) -> None:
    if "\x00" in value:
        raise ValidationFailed(
            f"{field}: contains a NUL character.",
            code="nul_character",
            errors=[FieldError(field, "contains a NUL character")],
        )


def clean_name(value: str, field: str = "name") -> str:
    """Blanks collapsed; 1 to 100 characters."""
    _no_nul(field, value)
    text = " ".join(value.split())
    if not text:
        raise _fail(field, "must not be blank")
    if len(text) > NAME_MAX:
        raise _fail(field, f"at most {NAME_MAX} characters")
    return text


def name_key(name: str) -> str:
    """What uniqueness compares: blanks collapsed, casefolded ("Summer" == " summer")."""
    return " ".join(name.split()).casefold()


def clean_text(value: str | None, field: str, limit: int = DESCRIPTION_MAX) -> str | None:
    """Optional free text; stripped, empty -> None, at most ``limit`` characters."""
    if value is None:
        return None
    _no_nul(field, value)
    text = value.strip()
    if len(text) > limit:
        raise _fail(field, f"at most {limit} characters")
    return text or None


def clean_hex(value: str, field: str = "hex") -> str:
    """``#RRGGBB`` (any case in, upper case out)."""
    if not isinstance(value, str) or HEX_PATTERN.fullmatch(value) is None:
        raise _fail(field, "must be a colour written #RRGGBB")
    return value.upper()
