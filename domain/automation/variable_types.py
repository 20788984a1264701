"""Variable types: the builtins and the custom types an administrator defines.

A custom type's ``pattern`` is either a regular expression the whole value must match, or a
filter, ``| from_json`` / ``| from_yaml``, that the value must parse with (the parsed value
is the result). Which regular expressions are acceptable is the pattern engine's call (the
application's ``PatternEngine`` port): one that cannot be run in time linear in the value is
refused with ``unsupported_pattern``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.shared.aggregate import Aggregate
from domain.shared.errors import DuplicateValue, FieldError, ValidationFailed
from domain.shared.ids import new_id

NAME_RULE = re.compile(r"[a-z][a-z0-9_]{0,49}")
MAX_LABEL_CHARS = 100
MAX_DESCRIPTION_CHARS = 1_000
MAX_PATTERN_CHARS = 500
MAX_VALUE_BYTES = 64 * 1024
"""A value to validate is at most 64 KiB (UTF-8)."""


@dataclass(frozen=True, slots=True)
class Builtin:
    name: str
    label: str
    description: str


BUILTINS: tuple[Builtin, ...] = (
    Builtin("string", "String", "Any text."),
    Builtin("int", "Integer", "A whole number (64-bit signed), e.g. 42 or -7."),
    Builtin("bool", "Boolean", "true/false, yes/no, on/off or 1/0 (any case)."),
    Builtin("list", "List", "A YAML or JSON list, e.g. [1, 2] or one '- item' per line."),
    Builtin("dict", "Dictionary", "A YAML or JSON mapping, e.g. {a: 1}."),
)
BUILTIN_NAMES = frozenset(b.name for b in BUILTINS)


class PatternKind(StrEnum):
    REGEX = "regex"
    FROM_JSON = "from_json"
    FROM_YAML = "from_yaml"


FILTERS = {"from_json": PatternKind.FROM_JSON, "from_yaml": PatternKind.FROM_YAML}


def invalid_pattern(message: str) -> ValidationFailed:
    return ValidationFailed(
        f"The pattern is not valid: {message}",
        code="invalid_pattern",
        errors=[FieldError("pattern", message)],
    )


def unsupported_pattern(message: str) -> ValidationFailed:
    return ValidationFailed(
        f"The pattern cannot be matched in time linear in the value ({message}); "
        "back-references, look-around and very large programs are not supported.",
        code="unsupported_pattern",
        errors=[FieldError("pattern", message)],
    )


def pattern_kind(pattern: str) -> PatternKind:
    """``| from_json`` / ``| from_yaml`` (blanks around the bar and the name allowed) or a
    regular expression; an unknown filter is 422 ``invalid_pattern``."""
    text = pattern.strip()
    if not text.startswith("|"):
        return PatternKind.REGEX
    name = text[1:].strip()
    if name not in FILTERS:
        raise invalid_pattern(f"unknown filter {name!r}; use '| from_json' or '| from_yaml'")
    return FILTERS[name]


def _check(name: str, label: str, description: str, pattern: str) -> None:
    errors: list[FieldError] = []
    if not NAME_RULE.fullmatch(name):
        errors.append(
            FieldError("name", "A lower-case letter, then up to 49 letters, digits or '_'.")
        )
    if not label.strip() or len(label) > MAX_LABEL_CHARS or "\x00" in label:
        errors.append(FieldError("label", f"1 to {MAX_LABEL_CHARS} characters, not blank."))
    if len(description) > MAX_DESCRIPTION_CHARS or "\x00" in description:
        errors.append(FieldError("description", f"At most {MAX_DESCRIPTION_CHARS} characters."))
    if not pattern.strip() or len(pattern) > MAX_PATTERN_CHARS or "\x00" in pattern:
        errors.append(FieldError("pattern", f"1 to {MAX_PATTERN_CHARS} characters."))
    if errors:
        raise ValidationFailed(errors=errors)
    if name in BUILTIN_NAMES:
        raise type_taken(name, builtin=True)


def type_taken(name: str, *, builtin: bool = False) -> DuplicateValue:
    """409 ``variable_type_taken``: another type (or a builtin) has this name."""
    reason = "is reserved for a builtin type" if builtin else "is already taken"
    return DuplicateValue(
        ["name"], f"The variable type name {name!r} {reason}.", code="variable_type_taken"
    )


@dataclass(kw_only=True, eq=False, slots=True)
class VariableType(Aggregate):
    name: str
    label: str
    description: str = ""
    pattern: str
    is_active: bool = True
    created_by: UUID | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def kind(self) -> PatternKind:
        return pattern_kind(self.pattern)

    @classmethod
    def create(
        cls,
        *,
        name: str,
        label: str,
        pattern: str,
        now: datetime,
        description: str = "",
        is_active: bool = True,
        created_by: UUID | None = None,
        id: UUID | None = None,
    ) -> VariableType:
        _check(name, label, description, pattern)
        pattern_kind(pattern)
        return cls(
            id=id or new_id(),
            name=name,
            label=label,
            description=description,
            pattern=pattern,
            is_active=is_active,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )

    def replace(
        self,
        now: datetime,
        *,
        name: str,
        label: str,
        description: str,
        pattern: str,
        is_active: bool,
    ) -> list[str]:
        """Replace every field (PUT); the names of those that changed."""
        _check(name, label, description, pattern)
        pattern_kind(pattern)
        new = {
            "name": name,
            "label": label,
            "description": description,
            "pattern": pattern,
            "is_active": is_active,
        }
        changed = [k for k, v in new.items() if getattr(self, k) != v]
        if changed:
            self.name, self.label, self.description = name, label, description
            self.pattern, self.is_active = pattern, is_active
            self.updated_at = now
            self.version += 1
        return changed


@dataclass(frozen=True, slots=True)
class Example:
    name: str
    label: str
    description: str
    pattern: str
    id: UUID


#: Installed with the catalogue (by the migration; at start-up on the memory profile). The
#: ids are fixed so every installation names them alike.
EXAMPLES: tuple[Example, ...] = (
    Example(
        "mail",
        "E-mail address",
        "An e-mail address such as ops@example.com.",
        r"[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+",
        UUID("01900000-0000-7000-8000-00000000a001"),
    ),
    Example(
        "ip",
        "IPv4 address",
        "A dotted-quad IPv4 address such as 192.0.2.10.",
        r"((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
        r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])",
        UUID("01900000-0000-7000-8000-00000000a002"),
    ),
    Example(
        "url",
        "URL",
        "An http or https URL.",
        r"https?://[^\s/?#]+[^\s]*",
        UUID("01900000-0000-7000-8000-00000000a003"),
    ),
    Example(
        "json",
        "JSON",
        "A JSON document; the parsed value is returned.",
        "| from_json",
        UUID("01900000-0000-7000-8000-00000000a004"),
    ),
    Example(
        "yaml",
        "YAML",
        "A YAML document (safe subset, bounded); the parsed value is returned.",
        "| from_yaml",
        UUID("01900000-0000-7000-8000-00000000a005"),
    ),
)
