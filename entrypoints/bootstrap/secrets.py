"""Secrets: the JWT signing key and the password pepper, resolved per profile.

- ``production``: both must come from the environment (``ATELIER_JWT_SECRET`` or
  ``ATELIER_JWT_PRIVATE_KEY_FILE``, and ``ATELIER_PASSWORD_PEPPER``) and be strong;
  otherwise start-up stops with a message naming the variable to set.
- ``embedded``: when unset, they are generated on first start and kept in
  ``<data_dir>/secrets.json`` (mode 0600), so tokens and passwords survive a restart.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from entrypoints.bootstrap.settings import Settings, SettingsError


@dataclass(frozen=True)
class Secrets:
    jwt_signing_key: str
    password_pepper: str
    jwt_verification_keys: dict[str, str] = field(default_factory=dict)

    def masked(self) -> dict[str, str]:
        return {"jwt_signing_key": "****", "password_pepper": "****"}


def _generate() -> str:
    from adapters.security.keys import generate_secret

    return generate_secret()


def _check(name: str, value: str) -> None:
    from adapters.security.keys import check_secret_strength

    try:
        check_secret_strength(name, value)
    except ValueError as exc:
        raise SettingsError(str(exc)) from exc


def _embedded_secrets_file(settings: Settings) -> dict[str, str]:
    path = settings.data_path / "secrets.json"
    if path.is_file():
        stored: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        if stored.get("jwt_secret") and stored.get("password_pepper"):
            return stored
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = {"jwt_secret": _generate(), "password_pepper": _generate()}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(stored, handle)
    path.chmod(0o600)
    return stored


def _verification_keys(settings: Settings) -> dict[str, str]:
    """``ATELIER_JWT_VERIFICATION_KEYS``: ``kid=value`` entries (a PEM file path or a secret)."""
    keys: dict[str, str] = {}
    for entry in settings.jwt_verification_keys:
        kid, sep, value = entry.partition("=")
        if not sep or not kid or not value:
            raise SettingsError(
                "ATELIER_JWT_VERIFICATION_KEYS entries must look like "
                "kid=/path/key.pem or kid=secret"
            )
        path = Path(value)
        keys[kid.strip()] = path.read_text(encoding="utf-8") if path.is_file() else value
    return keys


def resolve_secrets(settings: Settings) -> Secrets:
    asymmetric = settings.jwt_algorithm in {"RS256", "EdDSA"}
    if asymmetric:
        if not settings.jwt_private_key_file:
            raise SettingsError(
                "ATELIER_JWT_PRIVATE_KEY_FILE must point to a PEM private key for "
                f"{settings.jwt_algorithm}"
            )
        signing_key = Path(settings.jwt_private_key_file).read_text(encoding="utf-8")
    else:
        signing_key = settings.jwt_secret
    pepper = settings.password_pepper
    if settings.profile == "production":
        if not asymmetric:
            _check("ATELIER_JWT_SECRET", signing_key)
        _check("ATELIER_PASSWORD_PEPPER", pepper)
    elif not (signing_key and pepper):
        stored = _embedded_secrets_file(settings)
        signing_key = signing_key or stored["jwt_secret"]
        pepper = pepper or stored["password_pepper"]
    return Secrets(
        jwt_signing_key=signing_key,
        password_pepper=pepper,
        jwt_verification_keys=_verification_keys(settings),
    )
