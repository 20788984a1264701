"""What the documents module publishes: the ``InterventionDocuments`` port (exported as
``documents.intervention_documents``), through which the maintenance report lists an
intervention's documents without importing the documents module."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentSummary:
    id: UUID
    name: str
    kind: str
    size: int
    mime_type: str
    encrypted: bool
    created_at: datetime


class InterventionDocuments(Protocol):
    async def list_for(self, intervention_id: UUID) -> Sequence[DocumentSummary]:
        """The intervention's documents, oldest first (at most a few hundred)."""
        ...
