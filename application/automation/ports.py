"""Ports of the automation context: repositories, unit of work, the pattern engine, the
YAML codec and the Galaxy upstream.

Repository conventions are the platform's (see ``application/maintenance/ports.py``):
``get`` hands out a tracked copy; ``save``/``delete`` receive the version the aggregate had
when it was loaded and raise ``PreconditionFailed`` when the stored one differs; ``list``
returns one page (ties by id ascending) and the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from application.shared.pagination import Sort
from application.shared.uow import UnitOfWork
from domain.automation.playbook import Playbook
from domain.automation.variable_types import VariableType

PLAYBOOK_SORT_FIELDS = frozenset({"name", "created_at", "updated_at"})
VARIABLE_TYPE_SORT_FIELDS = frozenset({"name", "label", "created_at", "updated_at"})

ENTITY_PLAYBOOK = "playbook"
ENTITY_VARIABLE_TYPE = "variable_type"

Json = Any


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaybookFilters:
    owner_id: UUID | None = None
    """Only this user's playbooks (every caller but an administrator)."""
    q: str | None = None
    """Case-insensitive substring of the name."""


class PlaybookRepository(Protocol):
    async def get(self, playbook_id: UUID) -> Playbook | None: ...

    async def add(self, playbook: Playbook) -> None:
        """Insert and track; an ``owner_id`` of no user is ``UnknownReference``."""
        ...

    async def save(self, playbook: Playbook, *, expected_version: int) -> None: ...

    async def delete(self, playbook: Playbook, *, expected_version: int) -> None: ...

    async def list(
        self, filters: PlaybookFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Playbook], int]: ...


class VariableTypeRepository(Protocol):
    async def get(self, type_id: UUID) -> VariableType | None: ...

    async def get_by_name(self, name: str) -> VariableType | None:
        """A read-only copy (not tracked) of the type with this exact name, or None."""
        ...

    async def add(self, variable_type: VariableType) -> None:
        """Insert and track; a taken name raises 409 ``variable_type_taken`` (SQL: unique
        index on ``name``)."""
        ...

    async def save(self, variable_type: VariableType, *, expected_version: int) -> None:
        """As ``add`` for a name taken by another row."""
        ...

    async def delete(self, variable_type: VariableType, *, expected_version: int) -> None: ...

    async def list(
        self, *, active_only: bool, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[VariableType], int]: ...

    async def all_active(self) -> Sequence[VariableType]:
        """Every active custom type, by name."""
        ...


class AutomationUnitOfWork(UnitOfWork, Protocol):
    playbooks: PlaybookRepository
    variable_types: VariableTypeRepository


# -- the pattern engine (RE2 in production: adapters/automation/patterns.py) -------------------
class CompiledPattern(Protocol):
    def full_match(self, value: str) -> bool:
        """True when the whole ``value`` matches; in time linear in ``len(value)``."""
        ...


class PatternEngine(Protocol):
    def compile(self, pattern: str) -> CompiledPattern:
        """The compiled pattern; 422 ``invalid_pattern`` when it is not a regular expression
        at all, 422 ``unsupported_pattern`` when it is one the engine cannot run in linear
        time (back-references, look-around, ...). Both name the field ``pattern``."""
        ...


# -- YAML (PyYAML in adapters/automation/yaml_codec.py) ---------------------------------------
@dataclass(frozen=True, slots=True)
class ParseLimits:
    max_bytes: int = 64 * 1024
    max_depth: int = 64
    max_nodes: int = 50_000
    """Nodes of the document once aliases are expanded (a "billion laughs" has few nodes
    and explodes only when its aliases are expanded: it stops here)."""


class DocumentRefused(Exception):
    """The text is not a document of the accepted kind, or is over a limit; the message
    says which, for the user."""


class YamlCodec(Protocol):
    def load(self, text: str, limits: ParseLimits) -> Json:
        """The parsed document with only JSON values (keys as strings, timestamps as ISO
        text); ``DocumentRefused`` when it does not parse or passes a limit. Never slower
        than linear in ``limits`` (aliases are counted while they are expanded)."""
        ...

    def dump(self, document: Json) -> str:
        """Block-style YAML that ``load`` turns back into ``document``."""
        ...


# -- the Galaxy upstream (httpx in adapters/automation/galaxy.py) -----------------------------
class UpstreamUnavailable(Exception):
    """The upstream did not answer in time, answered 5xx after the retries, or answered
    something that is not the expected document."""


class GalaxyUpstream(Protocol):
    """The Ansible Galaxy v3 API, normalised to the catalogue's plain JSON shapes. A 404 of
    the upstream is ``domain.shared.errors.NotFound``."""

    async def namespaces(self, *, q: str | None, limit: int, offset: int) -> Json:
        """``{"items": [{name, company, description, avatar_url}], "total"}``."""
        ...

    async def collections(self, namespace: str, *, q: str | None, limit: int, offset: int) -> Json:
        """``{"items": [{namespace, name, latest_version, deprecated, download_count,
        created_at, updated_at}], "total"}``."""
        ...

    async def collection(self, namespace: str, name: str) -> Json:
        """``{namespace, name, latest_version, deprecated, download_count, created_at,
        updated_at, description, tags, dependencies, modules: [{name, description}]}``."""
        ...
