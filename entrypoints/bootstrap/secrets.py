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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from adapters.filesystem import ensure_private_dir
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


def _strength_problem(name: str, value: str) -> str | None:
    from adapters.security.keys import check_secret_strength

    try:
        check_secret_strength(name, value)
    except ValueError as exc:
        return str(exc)
    return None


def _embedded_secrets_file(settings: Settings) -> dict[str, str]:
    path = settings.data_path / "secrets.json"
    stored: dict[str, str] = {}
    if path.is_file():
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored.get("jwt_secret") and stored.get("password_pepper"):
            return stored
    ensure_private_dir(path.parent)
    # keep what else is stored there (modules' secrets: see ``stored_secret``)
    stored = {**stored, "jwt_secret": _generate(), "password_pepper": _generate()}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(stored, handle)
    path.chmod(0o600)
    return stored


def stored_secret(settings: Settings, name: str, generate: Callable[[], str]) -> str:
    """A secret of the embedded profile kept in ``<data_dir>/secrets.json`` (mode 0600)
    under ``name``, generated on first use by ``generate`` (modules' secrets, e.g. the
    documents module's first encryption key). The other entries are kept as they are."""
    path = settings.data_path / "secrets.json"
    stored: dict[str, str] = {}
    if path.is_file():
        stored = json.loads(path.read_text(encoding="utf-8"))
    if stored.get(name):
        return stored[name]
    ensure_private_dir(path.parent)
    stored[name] = generate()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(stored, handle)
    path.chmod(0o600)
    return stored[name]


def _verification_keys(settings: Settings) -> tuple[dict[str, str], list[str]]:
    """``ATELIER_JWT_VERIFICATION_KEYS``: ``kid=value`` entries (a PEM file path or a secret)."""
    keys: dict[str, str] = {}
    problems: list[str] = []
    for entry in settings.jwt_verification_keys:
        kid, sep, value = entry.partition("=")
        if not sep or not kid.strip() or not value:
            problems.append(
                "ATELIER_JWT_VERIFICATION_KEYS entries must look like "
                "kid=/path/key.pem or kid=secret"
            )
            continue
        path = Path(value)
        try:
            keys[kid.strip()] = path.read_text(encoding="utf-8") if path.is_file() else value
        except OSError as exc:
            problems.append(f"ATELIER_JWT_VERIFICATION_KEYS: cannot read {value}: {exc.strerror}")
    return keys, problems


def _signing_key(settings: Settings) -> tuple[str, list[str]]:
    if settings.jwt_algorithm not in ASYMMETRIC:
        return settings.jwt_secret, []
    name = "ATELIER_JWT_PRIVATE_KEY_FILE"
    if not settings.jwt_private_key_file:
        return "", [f"{name} must point to a PEM private key for {settings.jwt_algorithm}"]
    try:
        pem = Path(settings.jwt_private_key_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a PEM text file"
        return "", [f"{name}: cannot read {settings.jwt_private_key_file}: {reason}"]
    from adapters.security.keys import load_private_key

    try:
        load_private_key(pem, settings.jwt_algorithm)
    except (ValueError, TypeError) as exc:
        return "", [f"{name}: {exc}"]
    return pem, []


ASYMMETRIC = frozenset({"RS256", "EdDSA"})


def _resolve(settings: Settings) -> tuple[Secrets | None, list[str]]:
    signing_key, problems = _signing_key(settings)
    verification_keys, key_problems = _verification_keys(settings)
    problems.extend(key_problems)
    pepper = settings.password_pepper
    if settings.profile == "production":
        checks = [("ATELIER_PASSWORD_PEPPER", pepper)]
        if settings.jwt_algorithm not in ASYMMETRIC:
            checks.insert(0, ("ATELIER_JWT_SECRET", signing_key))
        problems.extend(
            problem for name, value in checks if (problem := _strength_problem(name, value))
        )
    if problems:
        return None, problems
    return Secrets(signing_key, pepper, verification_keys), []


def secret_problems(settings: Settings) -> list[str]:
    """Every problem with the configured secrets (all at once), without generating any."""
    return _resolve(settings)[1]


def resolve_secrets(settings: Settings) -> Secrets:
    """The secrets of ``settings``; the embedded profile generates (once) what is unset.
    Raises :class:`SettingsError` naming every missing or weak secret."""
    secrets, problems = _resolve(settings)
    if secrets is None:
        raise SettingsError("; ".join(problems), problems)
    if settings.profile != "production" and not (
        secrets.jwt_signing_key and secrets.password_pepper
    ):
        stored = _embedded_secrets_file(settings)
        secrets = Secrets(
            jwt_signing_key=secrets.jwt_signing_key or stored["jwt_secret"],
            password_pepper=secrets.password_pepper or stored["password_pepper"],
            jwt_verification_keys=secrets.jwt_verification_keys,
        )
    return secrets
