"""msgspec bodies and answers of the automation routes (every string bounded)."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from application.automation.views import PlaybookView, VariableTypeView, Verdict

PUBLIC_MODULE = "entrypoints.http.automation.schemas"

PlaybookName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Content = Annotated[
    dict[str, Any],
    msgspec.Meta(description="A JSON object: at most 256 KiB (413) and 32 levels (422)."),
]
TypeName = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Description = Annotated[str, msgspec.Meta(max_length=1_000)]
Pattern = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=500,
        description="A regular expression the whole value must match (RE2 syntax), or "
        "'| from_json' / '| from_yaml'.",
    ),
]
Value = Annotated[str, msgspec.Meta(max_length=65_536, description="At most 64 KiB (UTF-8).")]


class PlaybookCreate(msgspec.Struct, kw_only=True):
    name: PlaybookName
    content: Content


class PlaybookReplace(msgspec.Struct, kw_only=True):
    name: PlaybookName
    content: Content


class PlaybookPatch(msgspec.Struct, kw_only=True):
    name: PlaybookName | UnsetType = UNSET
    content: Content | UnsetType = UNSET


class PlaybookRead(msgspec.Struct, kw_only=True):
    __module__ = PUBLIC_MODULE

    id: UUID
    owner_id: UUID
    name: str
    content: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, v: PlaybookView) -> "PlaybookRead":
        return cls(
            id=v.id,
            owner_id=v.owner_id,
            name=v.name,
            content=v.content,
            version=v.version,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )


class VariableTypeBody(msgspec.Struct, kw_only=True):
    name: TypeName
    label: Label
    pattern: Pattern
    description: Description = ""
    is_active: bool = True


class VariableTypeRead(msgspec.Struct, kw_only=True):
    """A builtin (``builtin: true``; no id, version or dates) or a custom type."""

    __module__ = PUBLIC_MODULE

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
    def of(cls, v: VariableTypeView) -> "VariableTypeRead":
        return cls(
            name=v.name,
            label=v.label,
            description=v.description,
            pattern=v.pattern,
            builtin=v.builtin,
            is_active=v.is_active,
            id=v.id,
            version=v.version,
            created_by=v.created_by,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )


class ValidateBody(msgspec.Struct, kw_only=True):
    type: TypeName
    value: Value


class VerdictRead(msgspec.Struct, kw_only=True):
    valid: bool
    message: str
    parsed: Any = None
    """The parsed value (the value itself for a pattern; a number, boolean, list or mapping
    for the builtins and the JSON/YAML filters); null when not valid."""

    @classmethod
    def of(cls, v: Verdict) -> "VerdictRead":
        return cls(valid=v.valid, message=v.message, parsed=v.parsed)


# -- the Galaxy catalogue -------------------------------------------------------------------
class NamespaceRead(msgspec.Struct, kw_only=True):
    __module__ = PUBLIC_MODULE

    name: str
    company: str | None = None
    description: str | None = None
    avatar_url: str | None = None


class CollectionSummaryRead(msgspec.Struct, kw_only=True):
    __module__ = PUBLIC_MODULE

    namespace: str
    name: str
    latest_version: str | None = None
    deprecated: bool = False
    download_count: int = 0
    created_at: str | None = None
    updated_at: str | None = None


class ModuleRead(msgspec.Struct, kw_only=True):
    name: str | None = None
    description: str | None = None


class CollectionRead(CollectionSummaryRead, kw_only=True):
    __module__ = PUBLIC_MODULE

    description: str | None = None
    tags: list[str] = []
    dependencies: dict[str, str] = {}
    modules: list[ModuleRead] = []
