"""``atelier documents rotate-keys`` on the embedded profile: documents encrypted under an
old key are re-encrypted under the newest one (a second run finds nothing to do), the old
objects are gone, and every document still reads back to its SHA-256."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from adapters.persistence.sqlalchemy.migrations import upgrade
from application.documents.commands import DocumentQuery, UploadDocumentCommand
from domain.documents.document import DocumentKind
from domain.shared.access import Actor, Role
from domain.shared.ids import new_id
from entrypoints.bootstrap.container import running
from entrypoints.bootstrap.settings import load_settings
from tests.e2e.test_cli import _env, _run

OLD = "k1=" + "A" * 43
NEW = "k2=" + "B" * 43
MANAGER = Actor(user_id=new_id(), role=Role.MANAGER)


def _settings(data: Path, keys: list[str]) -> Any:
    return load_settings({}, env_file=data / "none.env", data_dir=str(data), document_keys=keys)


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 50_000):
        yield data[start : start + 50_000]


async def test_rotate_keys_re_encrypts_everything_and_resumes(tmp_path: Path) -> None:
    data = tmp_path / "var"
    settings = _settings(data, [OLD])
    upgrade(settings.effective_database_url)
    contents = [b"%PDF-1.7\n" + os.urandom(120_000 + n) for n in range(3)]
    async with running(settings) as container:
        ids = []
        for content in contents:
            view = await container.documents.upload_document()(
                UploadDocumentCommand(
                    actor=MANAGER, kind=DocumentKind.INVOICE, filename="f.pdf",
                    declared_type=None, head=content[:8192], chunks=_chunks(content),
                )
            )  # fmt: skip
            ids.append(view.id)
        plain = await container.documents.upload_document()(
            UploadDocumentCommand(
                actor=MANAGER, kind=DocumentKind.PHOTO, filename="p.pdf", declared_type=None,
                head=contents[0][:8192], chunks=_chunks(contents[0]),
            )
        )  # fmt: skip
    files_before = sorted(p.name for p in (data / "files").rglob("*") if p.is_file())

    env = _env(data, ATELIER_DOCUMENT_KEYS=f"{NEW},{OLD}")
    result = _run(["documents", "rotate-keys"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3 document(s) to re-encrypt under key 'k2'" in result.stdout
    assert "re-encrypted 3 document(s)" in result.stdout
    again = _run(["documents", "rotate-keys"], env, tmp_path)
    assert again.returncode == 0, again.stderr
    assert "0 document(s) to re-encrypt" in again.stdout

    files_after = sorted(p.name for p in (data / "files").rglob("*") if p.is_file())
    assert len(files_after) == len(files_before) == 4
    assert len(set(files_after) & set(files_before)) == 1  # only the plain one stayed
    assert plain.encrypted is False

    async with running(_settings(data, [NEW])) as container:  # the old key is no longer needed
        for document_id, content in zip(ids, contents, strict=True):
            query = DocumentQuery(actor=MANAGER, document_id=document_id)
            checked = await container.documents.verify_document()(query)
            assert checked.ok
            assert checked.sha256 == hashlib.sha256(content).hexdigest()
            async with container.documents.read_uow() as uow:
                stored = await uow.documents.get(document_id)
            assert stored is not None
            assert (stored.key_id, stored.version) == ("k2", 2)


def test_new_key_prints_an_entry(tmp_path: Path) -> None:
    result = _run(["documents", "new-key", "--id", "k7"], _env(tmp_path), tmp_path)
    assert result.returncode == 0
    key_id, _, material = result.stdout.strip().partition("=")
    assert key_id == "k7"
    assert len(material) == 43
