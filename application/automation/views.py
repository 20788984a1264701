"""What the automation use cases return."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.automation.playbook import Playbook
from domain.automation.variable_types import Builtin, VariableType


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaybookView:
    id: UUID
    owner_id: UUID
    name: str
    content: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, p: Playbook) -> PlaybookView:
        return cls(
            id=p.id,
            owner_id=p.owner_id,
            name=p.name,
            content=copy.deepcopy(p.content),
            version=p.version,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaybookExport:
    filename: str
    yaml: str


@dataclass(frozen=True, slots=True, kw_only=True)
class VariableTypeView:
    """A builtin (``builtin``: no id, no version) or a custom type."""

    name: str
    label: str
    description: str
    pattern: str | None
    builtin: bool
    is_active: bool
    id: UUID | None = None
    version: int | None = None
    created_by: UUID | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def of(cls, t: VariableType) -> VariableTypeView:
        return cls(
            name=t.name,
            label=t.label,
            description=t.description,
            pattern=t.pattern,
            builtin=False,
            is_active=t.is_active,
            id=t.id,
            version=t.version,
            created_by=t.created_by,
            created_at=t.created_at,
            updated_at=t.updated_at,
        )

    @classmethod
    def of_builtin(cls, b: Builtin) -> VariableTypeView:
        return cls(
            name=b.name,
            label=b.label,
            description=b.description,
            pattern=None,
            builtin=True,
            is_active=True,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """The answer of ``POST /variable-types/validate``."""

    valid: bool
    message: str
    parsed: Any = None
