"""The documents module's part of the composition root: its settings section, its
container and its spec (``MODULE``, registered in ``registry.py``).

Imports maintenance's ``intervention_access`` port (who may read which intervention) and
exports ``intervention_documents`` (the maintenance report lists an intervention's
documents through it). The key ring: ``ATELIER_DOCUMENT_KEYS`` (newest first); the embedded
profile adds a key it generates once and keeps in ``<data_dir>/secrets.json``, so encryption
works out of the box; the production profile refuses to start without a configured key.
"""

from __future__ import annotations

from typing import Any

import msgspec
from dependency_injector import containers, providers

from adapters.persistence.memory.documents import MemoryDocumentsUnitOfWork
from adapters.queue.base import check_cron
from adapters.security.document_cipher import (
    AesGcmDocumentCipher,
    generate_key,
    parse_key_ring,
)
from application.contracts.maintenance import InterventionAccess
from application.documents.commands import SweepCommand
from application.documents.use_cases.delete_document import DELETE_OBJECT_JOB, DeleteDocument
from application.documents.use_cases.document_link import GetDocumentLink
from application.documents.use_cases.get_content import GetDocumentContent
from application.documents.use_cases.get_document import GetDocument
from application.documents.use_cases.intervention_documents import ListInterventionDocuments
from application.documents.use_cases.list_documents import ListDocuments
from application.documents.use_cases.rotate_keys import RotateDocumentKeys
from application.documents.use_cases.sweep_objects import DeleteObject, SweepObjects
from application.documents.use_cases.upload_document import UploadDocument
from application.documents.use_cases.verify_document import VerifyDocument
from application.shared.jobs import JobContext, JobDefinition, Json, Payload, Schedule
from entrypoints.bootstrap.module import ModuleSpec

MIB = 1024 * 1024
SWEEP_JOB = "documents.sweep_objects"
#: the id of the key the embedded profile generates (kept in ``secrets.json``)
EMBEDDED_KEY_ID = "embedded-1"
EMBEDDED_SECRET_NAME = "document_key"  # noqa: S105 - the name of an entry, not a secret


class DocumentsSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The documents module's ``ATELIER_*`` variables."""

    document_max_bytes: int = 50 * MIB
    document_keys: list[str] = []
    document_link_ttl_seconds: int = 900
    document_orphan_grace_seconds: int = 3600
    document_sweep_cron: str = "*/10 * * * *"

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not 1 <= self.document_max_bytes <= 64 * 1024 * MIB:
            problems.append("ATELIER_DOCUMENT_MAX_BYTES must be between 1 and 68719476736")
        if not 10 <= self.document_link_ttl_seconds <= 7 * 24 * 3600:
            problems.append("ATELIER_DOCUMENT_LINK_TTL_SECONDS must be between 10 and 604800")
        if not 60 <= self.document_orphan_grace_seconds <= 30 * 24 * 3600:
            problems.append("ATELIER_DOCUMENT_ORPHAN_GRACE_SECONDS must be between 60 and 2592000")
        problems += parse_key_ring(self.document_keys)[1]
        try:
            check_cron(self.document_sweep_cron)
        except ValueError as exc:
            problems.append(f"ATELIER_DOCUMENT_SWEEP_CRON: {exc}")
        if problems:
            raise msgspec.ValidationError("; ".join(problems))


def check_settings(settings: Any) -> list[str]:
    """The production profile needs a configured key (nothing is generated there)."""
    if settings.profile != "production":
        return []
    section = settings.section(DocumentsSettings)
    if not section.document_keys:
        return [
            "ATELIER_DOCUMENT_KEYS is required in production (documents are encrypted at "
            "rest): id=<base64 of 32 random bytes>, newest first (`atelier documents "
            "new-key` prints one)"
        ]
    return []


def key_ring(config: DocumentsSettings, settings: Any) -> dict[str, bytes]:
    """The configured keys (newest first), plus on the embedded profile the key it
    generated (the active one when none is configured)."""
    keys, problems = parse_key_ring(config.document_keys)
    if problems:
        raise ValueError("; ".join(problems))
    if settings.profile != "production":
        from adapters.security.document_cipher import decode_key
        from entrypoints.bootstrap.secrets import stored_secret

        generated = stored_secret(settings, EMBEDDED_SECRET_NAME, generate_key)
        keys.setdefault(EMBEDDED_KEY_ID, decode_key(generated))
    return keys


def _cipher(config: DocumentsSettings, settings: Any) -> AesGcmDocumentCipher:
    return AesGcmDocumentCipher(key_ring(config, settings))


def _jobs(container: Any) -> list[JobDefinition]:
    async def delete_object(ctx: JobContext, payload: Payload) -> Json:
        await container.delete_object()(str(payload["storage_key"]))
        return None

    async def sweep(ctx: JobContext, payload: Payload) -> Json:
        result = await container.sweep_objects()(SweepCommand())
        return {"deleted": result.deleted, "failed": result.failed}

    return [
        JobDefinition(
            DELETE_OBJECT_JOB,
            delete_object,
            retries=8,
            retry_delay_seconds=2.0,
            max_retry_delay_seconds=600.0,
            timeout_seconds=60,
        ),
        JobDefinition(SWEEP_JOB, sweep, retries=1, timeout_seconds=600),
    ]


def _schedules(container: Any) -> list[Schedule]:
    return [Schedule(job=SWEEP_JOB, cron=container.config().document_sweep_cron)]


def _sql_uow(database: Any, publisher: Any, signal: Any, read_only: bool = False) -> Any:
    from adapters.persistence.sqlalchemy.documents import SqlDocumentsUnitOfWork

    return SqlDocumentsUnitOfWork(database, publisher, read_only=read_only, outbox_signal=signal)


def _memory_uow(store: Any, publisher: Any, signal: Any) -> Any:
    return MemoryDocumentsUnitOfWork(store, publisher, outbox_signal=signal)


class DocumentsContainer(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    config = providers.Dependency(instance_of=DocumentsSettings)
    intervention_access: providers.Dependency[InterventionAccess] = providers.Dependency()
    """maintenance.intervention_access, wired by the composition root."""

    clock = platform.clock
    storage = platform.storage
    database = platform.database
    persistence_kind = platform.persistence_kind

    _sql = providers.Factory(_sql_uow, database, platform.event_bus, platform.outbox_signal)
    _memory = providers.Factory(_memory_uow, database, platform.event_bus, platform.outbox_signal)
    uow = providers.Selector(persistence_kind, sqlite=_sql, postgres=_sql, memory=_memory)
    _sql_read = providers.Factory(
        _sql_uow, database, platform.event_bus, platform.outbox_signal, read_only=True
    )
    read_uow = providers.Selector(
        persistence_kind, sqlite=_sql_read, postgres=_sql_read, memory=_memory
    )
    cipher = providers.Singleton(_cipher, config, platform.settings)
    grace_seconds = providers.Callable(lambda c: c.document_orphan_grace_seconds, config)
    link_ttl_seconds = providers.Callable(lambda c: c.document_link_ttl_seconds, config)

    # -- use cases ---------------------------------------------------------------------------
    upload_document = providers.Factory(
        UploadDocument, uow.provider, storage, cipher, intervention_access, clock, grace_seconds
    )
    list_documents = providers.Factory(ListDocuments, read_uow, intervention_access)
    get_document = providers.Factory(GetDocument, read_uow, intervention_access)
    get_content = providers.Factory(
        GetDocumentContent,
        read_uow,
        intervention_access,
        storage,
        cipher,
        platform.url_signer,
        clock,
    )
    document_link = providers.Factory(
        GetDocumentLink,
        read_uow,
        intervention_access,
        storage,
        platform.url_signer,
        clock,
        link_ttl_seconds,
    )
    verify_document = providers.Factory(
        VerifyDocument, read_uow, intervention_access, storage, cipher
    )
    delete_document = providers.Factory(
        DeleteDocument, uow, intervention_access, platform.job_queue, clock
    )
    delete_object = providers.Factory(DeleteObject, uow.provider, storage)
    sweep_objects = providers.Factory(SweepObjects, uow.provider, storage, clock)
    rotate_keys = providers.Factory(
        RotateDocumentKeys, uow.provider, storage, cipher, clock, grace_seconds
    )

    # -- published ports ---------------------------------------------------------------------
    intervention_documents = providers.Singleton(ListInterventionDocuments, read_uow.provider)


MODULE = ModuleSpec(
    name="documents",
    container=DocumentsContainer,
    settings=DocumentsSettings,
    tables="adapters.persistence.sqlalchemy.documents.tables",
    imports={"intervention_access": "maintenance.intervention_access"},
    exports={"intervention_documents": "intervention_documents"},
    jobs=_jobs,
    schedules=_schedules,
    checks=check_settings,
)
