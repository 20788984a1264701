"""The key ring of the settings: the embedded profile generates its first key once (kept in
``secrets.json``, 0600, stable across restarts, still decrypting once keys are configured);
the production profile never generates one."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from adapters.security.document_cipher import generate_key
from entrypoints.bootstrap.documents import EMBEDDED_KEY_ID, DocumentsSettings, key_ring
from entrypoints.bootstrap.secrets import resolve_secrets
from entrypoints.bootstrap.settings import load_settings


def _settings(tmp_path: Path, **overrides: Any) -> Any:
    return load_settings({}, env_file=tmp_path / "none.env", data_dir=str(tmp_path), **overrides)


def test_the_embedded_profile_generates_one_key_and_keeps_it(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    section = settings.section(DocumentsSettings)
    first = key_ring(section, settings)
    assert list(first) == [EMBEDDED_KEY_ID]
    stored = tmp_path / "secrets.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert key_ring(section, settings) == first  # a restart reads the same key
    resolve_secrets(settings)  # the other secrets join the file
    entries = json.loads(stored.read_text())
    assert {"jwt_secret", "password_pepper", "document_key"} <= set(entries)
    assert key_ring(section, settings) == first

    configured = _settings(tmp_path, document_keys=[f"k9={generate_key()}"])
    ring = key_ring(configured.section(DocumentsSettings), configured)
    assert list(ring) == ["k9", EMBEDDED_KEY_ID]  # the configured key encrypts, the old decrypts
    assert ring[EMBEDDED_KEY_ID] == first[EMBEDDED_KEY_ID]


def test_production_generates_nothing(tmp_path: Path) -> None:
    key = f"p1={generate_key()}"
    settings = _settings(tmp_path, profile="production", document_keys=[key])
    ring = key_ring(settings.section(DocumentsSettings), settings)
    assert list(ring) == ["p1"]
    assert not (tmp_path / "secrets.json").exists()
