"""Settings: every ``ATELIER_*`` environment variable, read once into a typed Struct.

Sources, later wins: built-in defaults < a ``.env`` file in the working directory (or the
file named by ``ATELIER_ENV_FILE``) < the process environment. Values are converted and
validated by msgspec; a bad value names its variable. The two profiles choose defaults
for the adapters; each adapter can still be chosen explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
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
    database_statement_timeout_ms: int = 5_000
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
    # dependency timeouts: every call to a dependency is bounded; past the bound it is a fast
    # 503 with Retry-After (see the README, "Failures")
    database_connect_timeout_seconds: float = 2.0
    redis_connect_timeout_seconds: float = 1.0
    redis_socket_timeout_seconds: float = 1.0
    redis_max_connections: int = 50
    redis_retries: int = 1
    redis_cooldown_seconds: float = 0.5
    s3_connect_timeout_seconds: float = 2.0
    s3_read_timeout_seconds: float = 5.0
    s3_max_attempts: int = 2
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
    # maintenance
    escalation_delay_minutes: int = 30
    escalation_check_seconds: float = 60.0
    # periodic jobs inside the web process (false: run ``atelier worker`` separately)
    jobs_in_app: bool = True

    def __post_init__(self) -> None:
        problems = [message for _, message in range_problems(self.__getattribute__)]
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


def _between(
    get: Callable[[str], Any], name: str, low: float, high: float
) -> tuple[str, str] | None:
    value = get(name)
    if low <= value <= high:
        return None
    return name, f"{PREFIX}{name.upper()} must be between {low:g} and {high:g}"


def range_problems(get: Callable[[str], Any]) -> list[tuple[str, str]]:
    """``(field, message)`` for every value outside its range; ``get`` reads a field."""
    checks = [
        _between(get, "port", 1, 65535),
        _between(get, "workers", 1, 64),
        _between(get, "jwt_leeway_seconds", 0, 30),
        _between(get, "bcrypt_rounds", 4, 31),
        _between(get, "access_token_ttl_seconds", 60, 24 * 3600),
        _between(get, "refresh_token_ttl_seconds", 300, 90 * 24 * 3600),
        _between(get, "max_body_bytes", 1024, 1024**3),
        _between(get, "database_pool_size", 1, 1000),
        _between(get, "database_max_overflow", 0, 1000),
        _between(get, "database_pool_timeout_seconds", 0.05, 300),
        _between(get, "database_statement_timeout_ms", 100, 3_600_000),
        _between(get, "database_connect_timeout_seconds", 2, 300),
        _between(get, "redis_connect_timeout_seconds", 0.05, 60),
        _between(get, "redis_socket_timeout_seconds", 0.05, 60),
        _between(get, "redis_max_connections", 1, 10_000),
        _between(get, "redis_retries", 0, 5),
        _between(get, "redis_cooldown_seconds", 0, 60),
        _between(get, "s3_connect_timeout_seconds", 0.05, 300),
        _between(get, "s3_read_timeout_seconds", 0.05, 3600),
        _between(get, "s3_max_attempts", 1, 10),
        _between(get, "escalation_check_seconds", 1, 86400),
    ]
    return [check for check in checks if check is not None]


class SettingsError(ValueError):
    """The configuration cannot be used; ``problems`` names every variable to fix."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems) or [message]


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


def _raw_values(
    environ: Mapping[str, str] | None, env_file: Path | None, overrides: Mapping[str, Any]
) -> dict[str, Any]:
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
    return raw


def read_settings(
    environ: Mapping[str, str] | None = None, *, env_file: Path | None = None, **overrides: Any
) -> tuple[Settings, list[str]]:
    """Settings and the problems of every bad value, all at once (not only the first).

    A variable that cannot be converted or is out of range is reported and replaced by its
    default, so the rest of the configuration can still be checked (``atelier check-config``).
    """
    fields = {field.name: field for field in msgspec.structs.fields(Settings)}
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in _raw_values(environ, env_file, overrides).items():
        field = fields.get(name)
        if field is None:
            continue  # not ours (another version's variable, a typo check-config may show)
        try:
            values[name] = msgspec.convert(value, field.type, strict=False)
        except msgspec.ValidationError as exc:
            problems.append(f"{PREFIX}{name.upper()}: {exc}")

    def get(name: str) -> Any:
        return values[name] if name in values else fields[name].default

    for name, message in range_problems(get):
        problems.append(message)
        values.pop(name, None)
    return msgspec.convert(values, Settings, strict=False), problems


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: Path | None = None, **overrides: Any
) -> Settings:
    """Build Settings from ``environ`` (default: ``os.environ``) and a ``.env`` file.

    ``overrides`` (field names) win over everything; tests use them to configure a
    container explicitly instead of mutating the environment. Raises :class:`SettingsError`
    naming every bad variable.
    """
    settings, problems = read_settings(environ, env_file=env_file, **overrides)
    if problems:
        raise SettingsError("Invalid configuration: " + "; ".join(problems), problems)
    return settings


def settings_fields() -> list[str]:
    """Every variable name, for documentation and ``check-config``."""
    return [f"{PREFIX}{name.upper()}" for name in Settings.__struct_fields__]
