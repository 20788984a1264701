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
from collections.abc import Callable, Mapping, Sequence
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
ServerKind = Literal["granian", "uvicorn"]


S = TypeVar("S")

#: Variables that are read but belong to no group: where the ``.env`` file is, and the
#: demo users' password of ``atelier seed --demo`` (read by that command only).
RESERVED = frozenset({"env_file", "demo_password"})
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
    server: ServerKind = "granian"
    public_url: str = ""
    cors_origins: list[str] = []
    trusted_proxies: list[str] = []
    max_body_bytes: int = 1024 * 1024
    request_timeout_seconds: float = 30.0
    max_in_flight: int = 64
    in_flight_wait_seconds: float = 0.5
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
    database_pool_size: int = 20
    database_max_overflow: int = 0
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
    smtp_timeout_seconds: float = 10.0
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
    # real-time WebSockets (entrypoints/http/realtime.py)
    ws_auth_timeout_seconds: float = 5.0
    ws_heartbeat_seconds: float = 25.0
    ws_auth_recheck_seconds: float = 60.0
    ws_queue_size: int = 256
    # the modules' sections, by module name (filled by ``load_settings``; not a variable)
    sections: dict[str, Any] = {}

    def __post_init__(self) -> None:
        problems = [message for _, message in range_problems(self.__getattribute__)]
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


def _between(
    get: Callable[[str], Any], name: str, low: float, high: float
) -> tuple[str, str] | None:
    value = get(name)
    if low <= value <= high:
        return None
    return name, f"{PREFIX}{name.upper()} must be between {low:g} and {high:g}"


def range_problems(get: Callable[[str], Any]) -> list[tuple[str, str]]:
    """``(field, message)`` for every platform value outside its range; ``get`` reads a
    field. (The modules check their own sections in their ``__post_init__``.)"""
    checks = [
        _between(get, "port", 1, 65535),
        _between(get, "workers", 1, 64),
        _between(get, "max_in_flight", 0, 100_000),
        _between(get, "in_flight_wait_seconds", 0, 60),
        _between(get, "jwt_leeway_seconds", 0, 30),
        _between(get, "bcrypt_rounds", 4, 31),
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
        _between(get, "worker_concurrency", 1, 1000),
        _between(get, "worker_heartbeat_seconds", 1, 600),
        _between(get, "worker_sweep_seconds", 1, 3600),
        _between(get, "worker_metrics_port", 0, 65535),
        _between(get, "relay_poll_seconds", 0.05, 60),
        _between(get, "relay_batch_size", 1, 10_000),
        _between(get, "event_delivery_retries", 0, 50),
        _between(get, "smtp_timeout_seconds", 0.1, 300),
        _between(get, "ws_auth_timeout_seconds", 0.1, 60),
        _between(get, "ws_heartbeat_seconds", 0.1, 3600),
        _between(get, "ws_auth_recheck_seconds", 0.1, 3600),
        _between(get, "ws_queue_size", 1, 100_000),
        _between(get, "outbox_retention_days", 1, 365),
    ]
    return [check for check in checks if check is not None]


class SettingsError(ValueError):
    """The configuration cannot be used; ``problems`` names every variable to fix."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems) or [message]


def _is_list(field_type: object) -> bool:
    return str(field_type).startswith("list[")


def _fields(struct: type[Any]) -> dict[str, Any]:
    """Field name -> its msgspec field (the platform's ``sections`` is not a variable)."""
    return {f.name: f for f in msgspec.structs.fields(struct) if f.name != "sections"}


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


def _owners(sections: Mapping[str, type[Any]]) -> dict[str, tuple[str, Any]]:
    """Every field name -> (its group: "" for the platform or the module name, its field)."""
    owners = {name: ("", f) for name, f in _fields(Settings).items()}
    for module, section in sections.items():
        for name, f in _fields(section).items():
            if name in owners:
                raise RuntimeError(
                    f"ATELIER_{name.upper()} is declared twice (by {module} and "
                    f"{owners[name][0] or 'the platform'})"
                )
            owners[name] = (module, f)
    return owners


def _unknown(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=2, cutoff=0.75)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    return f"{name} is not a setting{hint}"


def _section(cls: type[S], values: dict[str, Any], problems: list[str]) -> S:
    """A module's section; its own checks (``__post_init__``) add to ``problems``."""
    try:
        return msgspec.convert(values, cls, strict=False)
    except msgspec.ValidationError as exc:
        problems.extend(part.strip() for part in str(exc).split(";") if part.strip())
        return cls()


def read_settings(
    environ: Mapping[str, str] | None = None,
    *,
    env_file: Path | None = None,
    sections: Mapping[str, type[Any]] | None = None,
    **overrides: Any,
) -> tuple[Settings, list[str]]:
    """Settings and the problems of every bad variable, all at once (not only the first): a
    name that belongs to no group (a typo), a value that cannot be converted, a value out of
    its range. A bad value is reported and replaced by its default, so the rest of the
    configuration can still be checked (``atelier check-config``). ``overrides`` (field names
    of any group) win over everything; ``sections`` defaults to the registered modules'."""
    env = dict(os.environ if environ is None else environ)
    file = env_file or Path(env.get(f"{PREFIX}ENV_FILE", ".env"))
    merged = {**read_env_file(file), **env}
    groups = module_sections() if sections is None else dict(sections)
    owners = _owners(groups)
    known = [f"{PREFIX}{name.upper()}" for name in owners]
    values: dict[str, dict[str, Any]] = {"": {}, **{module: {} for module in groups}}
    problems: list[str] = []

    def put(name: str, value: Any, *, from_text: bool) -> None:
        group, f = owners[name]
        if from_text and _is_list(f.type):
            value = [item.strip() for item in str(value).split(",") if item.strip()]
        try:
            values[group][name] = msgspec.convert(value, f.type, strict=False)
        except msgspec.ValidationError as exc:
            problems.append(f"{PREFIX}{name.upper()}: {exc}")

    for key, value in sorted(merged.items()):
        if not key.startswith(PREFIX) or key.startswith(FOREIGN_PREFIXES):
            continue
        name = key[len(PREFIX) :].lower()
        if name in RESERVED:
            continue
        if name not in owners:
            problems.append(_unknown(key, known))
            continue
        put(name, value, from_text=True)
    for name, value in overrides.items():
        if name not in owners:
            raise TypeError(f"load_settings() got an unknown setting {name!r}")
        put(name, value, from_text=False)

    platform_fields = _fields(Settings)

    def get(name: str) -> Any:
        return values[""].get(name, platform_fields[name].default)

    for name, message in range_problems(get):
        problems.append(message)
        values[""].pop(name, None)
    settings = msgspec.convert(values[""], Settings, strict=False)
    settings.sections = {
        module: _section(cls, values[module], problems) for module, cls in groups.items()
    }
    return settings, problems


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    env_file: Path | None = None,
    sections: Mapping[str, type[Any]] | None = None,
    **overrides: Any,
) -> Settings:
    """Build Settings from ``environ`` (default: ``os.environ``) and a ``.env`` file; raises
    :class:`SettingsError` naming every bad variable (see :func:`read_settings`)."""
    settings, problems = read_settings(environ, env_file=env_file, sections=sections, **overrides)
    if problems:
        raise SettingsError("Invalid configuration: " + "; ".join(problems), problems)
    return settings


def settings_fields(sections: Mapping[str, type[Any]] | None = None) -> list[str]:
    """Every variable name, for documentation and ``check-config``."""
    groups = module_sections() if sections is None else dict(sections)
    return [f"{PREFIX}{name.upper()}" for name in _owners(groups)]
