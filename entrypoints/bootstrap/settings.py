"""Settings: every ``ATELIER_*`` environment variable, read once into a typed Struct.

Sources, later wins: built-in defaults < a ``.env`` file in the working directory (or the
file named by ``ATELIER_ENV_FILE``) < the process environment. Values are converted and
validated by msgspec; a bad value names its variable. The two profiles choose defaults
for the adapters; each adapter can still be chosen explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec

PREFIX = "ATELIER_"

Profile = Literal["embedded", "production"]
Persistence = Literal["sqlite", "postgres", "memory"]
StorageKind = Literal["local", "s3", "memory"]
CacheKind = Literal["memory", "redis"]
MailerKind = Literal["console", "memory", "smtp"]


class Settings(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """One field per ``ATELIER_<FIELD>`` variable (upper-cased). See the README's table."""

    profile: Profile = "embedded"
    data_dir: str = "./var"
    # HTTP server
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    public_url: str = ""
    cors_origins: list[str] = []
    trusted_proxies: list[str] = []
    max_body_bytes: int = 1024 * 1024
    request_timeout_seconds: float = 30.0
    log_level: str = "INFO"
    log_json: bool = True
    docs_enabled: bool = True
    # adapters ("" means: the profile's default)
    persistence: Persistence | Literal[""] = ""
    storage: StorageKind | Literal[""] = ""
    cache: CacheKind | Literal[""] = ""
    mailer: MailerKind = "console"
    # persistence
    database_url: str = ""
    database_pool_size: int = 10
    database_max_overflow: int = 5
    database_pool_timeout_seconds: float = 2.0
    database_statement_timeout_ms: int = 10_000
    database_echo: bool = False
    # storage
    storage_dir: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_bucket: str = "atelier"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_path_style: bool = True
    s3_create_bucket: bool = False
    # cache
    redis_url: str = ""
    redis_key_prefix: str = "atelier:"
    # tokens
    jwt_secret: str = ""
    jwt_algorithm: Literal["HS256", "HS384", "HS512", "RS256", "EdDSA"] = "HS256"
    jwt_private_key_file: str = ""
    jwt_key_id: str = "k1"
    jwt_verification_keys: list[str] = []
    jwt_issuer: str = "atelier"
    jwt_audience: str = "atelier-api"
    jwt_leeway_seconds: int = 10
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 7 * 24 * 3600
    # passwords
    password_pepper: str = ""
    bcrypt_rounds: int = 12
    password_require_composition: bool = False
    signup_enabled: bool = True
    password_reset_ttl_seconds: int = 1800
    # bootstrap administrator
    admin_email: str = ""
    admin_password: str = ""
    # mail
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    mail_sender: str = "atelier@localhost"
    # rate limits: "route=N/period" entries overriding the defaults (see README)
    rate_limits: list[str] = []
    rate_limit_enabled: bool = True
    # failed logins from one client address (any accounts) before it gets 429
    login_address_failure_limit: int = 50
    login_address_failure_window_seconds: int = 900
    # maintenance
    escalation_delay_minutes: int = 30
    escalation_check_seconds: float = 60.0
    schedule_past_grace_minutes: int = 5
    # periodic jobs inside the web process (false: run ``atelier worker`` separately)
    jobs_in_app: bool = True

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not 1 <= self.port <= 65535:
            problems.append("ATELIER_PORT must be between 1 and 65535")
        if not 1 <= self.workers <= 64:
            problems.append("ATELIER_WORKERS must be between 1 and 64")
        if not 0 <= self.jwt_leeway_seconds <= 30:
            problems.append("ATELIER_JWT_LEEWAY_SECONDS must be between 0 and 30")
        if not 4 <= self.bcrypt_rounds <= 31:
            problems.append("ATELIER_BCRYPT_ROUNDS must be between 4 and 31")
        if not 60 <= self.access_token_ttl_seconds <= 24 * 3600:
            problems.append("ATELIER_ACCESS_TOKEN_TTL_SECONDS must be between 60 and 86400")
        if not 300 <= self.refresh_token_ttl_seconds <= 90 * 24 * 3600:
            problems.append("ATELIER_REFRESH_TOKEN_TTL_SECONDS must be between 300 and 7776000")
        if not 1024 <= self.max_body_bytes <= 1024**3:
            problems.append("ATELIER_MAX_BODY_BYTES must be between 1024 and 1073741824")
        if self.database_pool_size < 1 or self.database_max_overflow < 0:
            problems.append("ATELIER_DATABASE_POOL_SIZE must be >= 1 and MAX_OVERFLOW >= 0")
        if not 1 <= self.escalation_check_seconds <= 86400:
            problems.append("ATELIER_ESCALATION_CHECK_SECONDS must be between 1 and 86400")
        if not 1 <= self.login_address_failure_limit <= 1_000_000:
            problems.append("ATELIER_LOGIN_ADDRESS_FAILURE_LIMIT must be between 1 and 1000000")
        if not 60 <= self.login_address_failure_window_seconds <= 86400:
            problems.append(
                "ATELIER_LOGIN_ADDRESS_FAILURE_WINDOW_SECONDS must be between 60 and 86400"
            )
        if not 0 <= self.schedule_past_grace_minutes <= 1440:
            problems.append("ATELIER_SCHEDULE_PAST_GRACE_MINUTES must be between 0 and 1440")
        if problems:
            raise msgspec.ValidationError("; ".join(problems))

    # -- the profile's choices -------------------------------------------------------
    @property
    def persistence_kind(self) -> Persistence:
        if self.persistence:
            return self.persistence
        if self.database_url.startswith("postgresql"):
            return "postgres"
        return "postgres" if self.profile == "production" else "sqlite"

    @property
    def storage_kind(self) -> StorageKind:
        if self.storage:
            return self.storage
        return "s3" if self.profile == "production" else "local"

    @property
    def cache_kind(self) -> CacheKind:
        if self.cache:
            return self.cache
        return "redis" if self.profile == "production" else "memory"

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        if self.persistence_kind == "sqlite":
            return f"sqlite+aiosqlite:///{(self.data_path / 'atelier.db').as_posix()}"
        return ""

    @property
    def effective_storage_dir(self) -> Path:
        return Path(self.storage_dir) if self.storage_dir else self.data_path / "files"


class SettingsError(ValueError):
    """The configuration cannot be used; the message names the variable to fix."""


_LIST_FIELDS = {
    name
    for name, field_type in Settings.__annotations__.items()
    if str(field_type).startswith("list[")
}


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a ``.env`` file: ``KEY=value`` lines, ``#`` comments, optional quotes."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: Path | None = None, **overrides: Any
) -> Settings:
    """Build Settings from ``environ`` (default: ``os.environ``) and a ``.env`` file.

    ``overrides`` (field names) win over everything; tests use them to configure a
    container explicitly instead of mutating the environment.
    """
    env = dict(os.environ if environ is None else environ)
    file = env_file or Path(env.get(f"{PREFIX}ENV_FILE", ".env"))
    merged = {**read_env_file(file), **env}
    raw: dict[str, Any] = {}
    for key, value in merged.items():
        if not key.startswith(PREFIX) or key == f"{PREFIX}ENV_FILE":
            continue
        name = key[len(PREFIX) :].lower()
        if name in _LIST_FIELDS:
            raw[name] = [item.strip() for item in value.split(",") if item.strip()]
        else:
            raw[name] = value
    raw.update(overrides)
    try:
        return msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        # msgspec says "at `$.field`": name the environment variable instead.
        if "`$." in message:
            field = message.split("`$.", 1)[1].split("`", 1)[0].split("[", 1)[0]
            message = message.replace(f"`$.{field}", f"`{PREFIX}{field.upper()}")
        raise SettingsError(f"Invalid configuration: {message}") from exc


def settings_fields() -> list[str]:
    """Every variable name, for documentation and ``check-config``."""
    return [f"{PREFIX}{name.upper()}" for name in Settings.__struct_fields__]
