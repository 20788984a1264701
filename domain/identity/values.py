"""Identity value rules: e-mail addresses and person names."""

from __future__ import annotations

import unicodedata

from domain.shared.errors import FieldError, ValidationFailed

MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART = 64
MAX_NAME_LENGTH = 100


def _has_control(value: str) -> bool:
    return any(unicodedata.category(ch) in {"Cc", "Cf", "Cs"} for ch in value)


def email_problem(email: str) -> str | None:
    """Why ``email`` is not a usable address, or None. Deliberately simple: one ``@``,
    a non-empty local part, a dotted domain, no spaces or control characters."""
    if not email:
        return "The e-mail address is required."
    if len(email) > MAX_EMAIL_LENGTH:
        return f"The e-mail address is longer than {MAX_EMAIL_LENGTH} characters."
    if _has_control(email) or any(ch.isspace() for ch in email):
        return "The e-mail address contains spaces or control characters."
    local, at, domain = email.rpartition("@")
    if not at or not local or "@" in local or len(local) > MAX_LOCAL_PART:
        return "The e-mail address is not valid."
    labels = domain.split(".")
    if len(labels) < 2 or any(not label or label.startswith("-") for label in labels):
        return "The e-mail address is not valid."
    return None


def clean_email(email: str, field: str = "email") -> str:
    """The address stripped of surrounding spaces; ``ValidationFailed`` when unusable."""
    value = email.strip()
    problem = email_problem(value)
    if problem is not None:
        raise ValidationFailed(problem, errors=[FieldError(field, problem)])
    return value


def normalize_email(email: str) -> str:
    """The comparison key of an address: case-insensitive (``casefold``)."""
    return email.strip().casefold()


def email_local_part(email: str) -> str:
    return email.strip().rpartition("@")[0]


def name_problem(value: str, label: str) -> str | None:
    if not value:
        return f"The {label} is required."
    if len(value) > MAX_NAME_LENGTH:
        return f"The {label} is longer than {MAX_NAME_LENGTH} characters."
    if _has_control(value):
        return f"The {label} contains control characters."
    return None


def clean_names(first_name: str, last_name: str) -> tuple[str, str]:
    """Both names stripped; ``ValidationFailed`` naming each bad field."""
    first, last = first_name.strip(), last_name.strip()
    errors = [
        FieldError(field, problem)
        for field, problem in (
            ("first_name", name_problem(first, "first name")),
            ("last_name", name_problem(last, "last name")),
        )
        if problem is not None
    ]
    if errors:
        raise ValidationFailed(errors=errors)
    return first, last
