"""A playbook: a user's Ansible playbook as the builder edits it (a JSON object), owned by
the user who created it."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.automation.content import depth_of, encoded_size, has_nul
from domain.shared.aggregate import Aggregate
from domain.shared.errors import FieldError, TooLarge, ValidationFailed
from domain.shared.ids import new_id

MAX_NAME_CHARS = 200
MAX_CONTENT_BYTES = 256 * 1024
MAX_CONTENT_DEPTH = 32


def clean_name(name: str) -> str:
    """The name as given; 1 to 200 characters, not blank, no NUL (422 ``name``)."""
    if not name.strip() or len(name) > MAX_NAME_CHARS or "\x00" in name:
        raise ValidationFailed(
            errors=[FieldError("name", f"1 to {MAX_NAME_CHARS} characters, not blank.")]
        )
    return name


def clean_content(content: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``content`` once it is a JSON object of at most 32 levels (422) and
    256 KiB in compact UTF-8 JSON (413), both naming ``content``."""
    if not isinstance(content, Mapping):
        raise ValidationFailed(errors=[FieldError("content", "Must be a JSON object.")])
    if depth_of(content, stop_after=MAX_CONTENT_DEPTH) > MAX_CONTENT_DEPTH:
        raise ValidationFailed(
            "The playbook content is nested too deeply.",
            code="content_too_deep",
            errors=[FieldError("content", f"At most {MAX_CONTENT_DEPTH} levels of nesting.")],
        )
    if has_nul(content):
        raise ValidationFailed(
            errors=[FieldError("content", "Strings and keys may not contain NUL characters.")]
        )
    size = encoded_size(content)
    if size > MAX_CONTENT_BYTES:
        raise TooLarge(
            f"The playbook content is {size} bytes; at most {MAX_CONTENT_BYTES} are kept.",
            code="content_too_large",
            errors=[FieldError("content", f"At most {MAX_CONTENT_BYTES} bytes as JSON.")],
        )
    return copy.deepcopy(dict(content))


def _ordered(content: Mapping[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False)


@dataclass(kw_only=True, eq=False, slots=True)
class Playbook(Aggregate):
    owner_id: UUID
    name: str
    content: dict[str, Any] = field(default_factory=dict)
    created_at: datetime
    updated_at: datetime

    @classmethod
    def create(
        cls, *, owner_id: UUID, name: str, content: Mapping[str, Any], now: datetime
    ) -> Playbook:
        errors: list[FieldError] = []
        try:
            name = clean_name(name)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        if errors:
            clean_content(content)  # a 413 on the content wins: it names the bigger problem
            raise ValidationFailed(errors=errors)
        return cls(
            id=new_id(),
            owner_id=owner_id,
            name=name,
            content=clean_content(content),
            created_at=now,
            updated_at=now,
        )

    def change(
        self, now: datetime, *, name: str | None = None, content: Mapping[str, Any] | None = None
    ) -> list[str]:
        """Apply the given fields; the names of those that changed (the version moves once
        when any did)."""
        new_name = clean_name(name) if name is not None else self.name
        new_content = clean_content(content) if content is not None else self.content
        changed = []
        if new_name != self.name:
            changed.append("name")
        if _ordered(new_content) != _ordered(self.content):  # key order is kept, so it counts
            changed.append("content")
        if changed:
            self.name, self.content = new_name, new_content
            self.updated_at = now
            self.version += 1
        return changed
