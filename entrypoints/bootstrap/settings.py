"""Settings: every ``ATELIER_*`` environment variable, read once into typed Structs.

Sources, later wins: built-in defaults < a ``.env`` file in the working directory (or the
file named by ``ATELIER_ENV_FILE``) < the process environment. Values are converted and
validated by msgspec; a bad value names its variable. The two profiles choose defaults
for the adapters; each adapter can still be chosen explicitly.

The variables are grouped: :class:`Settings` holds the platform's (server, adapters,
secrets, queue, events), and each module declares its own section (a Struct named in its
``ModuleSpec.settings``, e.g. ``MaintenanceSettings``), read from the same plain
``ATELIER_<FIELD>`` variables and reached with ``settings.section(MaintenanceSettings)``.
A variable that belongs to no group (a typo such as ``ATELIER_DATABSE_URL``) is refused with
the closest real names, at start-up and by ``atelier check-config``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import msgspec

PREFIX = "ATELIER_"

Profile = Literal["embedded", "production"]
Persistence = Literal["sqlite", "postgres", "memory"]
StorageKind = Literal["local", "s3", "memory"]
CacheKind = Literal["memory", "redis"]
MailerKind = Literal["console", "memory", "smtp"]
QueueKind = Literal["saq", "sqlite", "memory"]


S = TypeVar("S")

#: Variables that are read but belong to no group.
RESERVED = frozenset({"env_file"})
#: Prefixes of variables that are not Atelier's settings (the test suite's own).
FOREIGN_PREFIXES = ("ATELIER_TEST_",)


class Settings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One field per platform ``ATELIER_<FIELD>`` variable (upper-cased); the modules'
    sections in ``sections``. See the README's table."""

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
    # passwords (the hasher is a platform adapter; the policy is identity's)
    password_pepper: str = ""
    bcrypt_rounds: int = 12
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
    # the job queue and its workers
    queue: QueueKind | Literal[""] = ""
    queue_name: str = ""
    queue_sqlite_path: str = ""
    worker_concurrency: int = 10
    worker_heartbeat_seconds: float = 10.0
    worker_sweep_seconds: float = 10.0
    worker_metrics_port: int = 9102
    # background work inside the web process (false: run ``atelier worker`` separately)
    jobs_in_app: bool = True
    # integration events: the outbox relay and the deliveries
    relay_poll_seconds: float = 1.0
    relay_batch_size: int = 200
    event_delivery_retries: int = 8
    outbox_retention_days: int = 7
    # the modules' sections, by module name (filled by ``load_settings``; not a variable)
    sections: dict[str, Any] = {}

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
        if not 1024 <= self.max_body_bytes <= 1024**3:
            problems.append("ATELIER_MAX_BODY_BYTES must be between 1024 and 1073741824")
        if self.database_pool_size < 1 or self.database_max_overflow < 0:
            problems.append("ATELIER_DATABASE_POOL_SIZE must be >= 1 and MAX_OVERFLOW >= 0")
        if not 1 <= self.worker_concurrency <= 1000:
            problems.append("ATELIER_WORKER_CONCURRENCY must be between 1 and 1000")
        if not 1 <= self.worker_heartbeat_seconds <= 600:
            problems.append("ATELIER_WORKER_HEARTBEAT_SECONDS must be between 1 and 600")
        if not 1 <= self.worker_sweep_seconds <= 3600:
            problems.append("ATELIER_WORKER_SWEEP_SECONDS must be between 1 and 3600")
        if not 0 <= self.worker_metrics_port <= 65535:
            problems.append("ATELIER_WORKER_METRICS_PORT must be between 0 and 65535")
        if not 0.05 <= self.relay_poll_seconds <= 60:
            problems.append("ATELIER_RELAY_POLL_SECONDS must be between 0.05 and 60")
        if not 1 <= self.relay_batch_size <= 10_000:
            problems.append("ATELIER_RELAY_BATCH_SIZE must be between 1 and 10000")
        if not 0 <= self.event_delivery_retries <= 50:
            problems.append("ATELIER_EVENT_DELIVERY_RETRIES must be between 0 and 50")
        if not 1 <= self.outbox_retention_days <= 365:
            problems.append("ATELIER_OUTBOX_RETENTION_DAYS must be between 1 and 365")
        if problems:
            raise msgspec.ValidationError("; ".join(problems))

    def section(self, cls: type[S]) -> S:
        """The section of type ``cls`` (a module's settings Struct)."""
        for value in self.sections.values():
            if isinstance(value, cls):
                return value
        raise LookupError(f"no settings section {cls.__name__} (is its module registered?)")

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
    def queue_kind(self) -> QueueKind:
        if self.queue:
            return self.queue
        if self.persistence_kind == "memory":
            return "memory"
        return "saq" if self.profile == "production" else "sqlite"

    @property
    def effective_queue_name(self) -> str:
        """The queue's name in Redis: ``ATELIER_QUEUE_NAME``, else from the key prefix."""
        return self.queue_name or (self.redis_key_prefix.strip(":") or "atelier")

    @property
    def effective_queue_path(self) -> Path:
        return (
            Path(self.queue_sqlite_path) if self.queue_sqlite_path else self.data_path / "queue.db"
        )

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


def _is_list(field_type: object) -> bool:
    return str(field_type).startswith("list[")


def _fields(struct: type[Any]) -> dict[str, bool]:
    """Field name -> whether the variable is a comma-separated list."""
    hints = msgspec.structs.fields(struct)
    return {f.name: _is_list(f.type) for f in hints if f.name != "sections"}


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


def module_sections() -> dict[str, type[Any]]:
    """The registered modules' settings sections, by module name."""
    from entrypoints.bootstrap.registry import modules

    return {spec.name: spec.settings for spec in modules() if spec.settings is not None}


def _owners(sections: Mapping[str, type[Any]]) -> dict[str, tuple[str, bool]]:
    """Every field name -> (its group: "" for the platform or the module name, is a list)."""
    owners = {name: ("", is_list) for name, is_list in _fields(Settings).items()}
    for module, section in sections.items():
        for name, is_list in _fields(section).items():
            if name in owners:
                raise RuntimeError(
                    f"ATELIER_{name.upper()} is declared twice (by {module} and "
                    f"{owners[name][0] or 'the platform'})"
                )
            owners[name] = (module, is_list)
    return owners


def _unknown(names: Sequence[str], known: Sequence[str]) -> str:
    lines = []
    for name in sorted(names):
        close = difflib.get_close_matches(name, known, n=2, cutoff=0.75)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        lines.append(f"{name} is not a setting{hint}")
    return "; ".join(lines)


def _convert(raw: Mapping[str, Any], struct: type[S]) -> S:
    try:
        return msgspec.convert(raw, struct, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        # msgspec says "at `$.field`": name the environment variable instead.
        if "`$." in message:
            field = message.split("`$.", 1)[1].split("`", 1)[0].split("[", 1)[0]
            message = message.replace(f"`$.{field}", f"`{PREFIX}{field.upper()}")
        raise SettingsError(f"Invalid configuration: {message}") from exc


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    env_file: Path | None = None,
    sections: Mapping[str, type[Any]] | None = None,
    **overrides: Any,
) -> Settings:
    """Build Settings from ``environ`` (default: ``os.environ``) and a ``.env`` file.

    ``overrides`` (field names of any group) win over everything; tests use them to
    configure a container explicitly instead of mutating the environment. ``sections``
    defaults to the registered modules' sections.
    """
    env = dict(os.environ if environ is None else environ)
    file = env_file or Path(env.get(f"{PREFIX}ENV_FILE", ".env"))
    merged = {**read_env_file(file), **env}
    groups = module_sections() if sections is None else dict(sections)
    owners = _owners(groups)
    raw: dict[str, dict[str, Any]] = {"": {}, **{module: {} for module in groups}}
    unknown: list[str] = []
    for key, value in merged.items():
        if not key.startswith(PREFIX) or key.startswith(FOREIGN_PREFIXES):
            continue
        name = key[len(PREFIX) :].lower()
        if name in RESERVED:
            continue
        owner = owners.get(name)
        if owner is None:
            unknown.append(key)
            continue
        group, is_list = owner
        raw[group][name] = (
            [item.strip() for item in value.split(",") if item.strip()] if is_list else value
        )
    if unknown:
        known = [f"{PREFIX}{name.upper()}" for name in owners]
        raise SettingsError(f"Invalid configuration: {_unknown(unknown, known)}")
    for name, value in overrides.items():
        if name not in owners:
            raise TypeError(f"load_settings() got an unknown setting {name!r}")
        raw[owners[name][0]][name] = value
    platform = _convert(raw[""], Settings)
    platform.sections = {module: _convert(raw[module], cls) for module, cls in groups.items()}
    return platform


def settings_fields(sections: Mapping[str, type[Any]] | None = None) -> list[str]:
    """Every variable name, for documentation and ``check-config``."""
    groups = module_sections() if sections is None else dict(sections)
    return [f"{PREFIX}{name.upper()}" for name in _owners(groups)]
