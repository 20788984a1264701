"""Every check of a configuration before it is used, in one place.

``validate(settings)`` returns one line per problem (all of them, not the first): the adapter
settings of the active profile (database URL, Redis URL, S3 bucket and endpoint, SMTP host,
usable folders), the secrets, and the HTTP settings. ``atelier check-config``, ``serve`` and
``migrate`` print these lines and exit 1 instead of starting with a configuration that would
fail later (or fail with a traceback).

Nothing here opens a connection: reachability is what ``/health/ready`` reports.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Collection
from pathlib import Path
from urllib.parse import urlsplit

from entrypoints.bootstrap.secrets import secret_problems
from entrypoints.bootstrap.settings import Settings

PERSISTENCE = "persistence"
CACHE = "cache"
STORAGE = "storage"
SECRETS = "secrets"
MAIL = "mail"
HTTP = "http"
ALL_PARTS = frozenset({PERSISTENCE, CACHE, STORAGE, SECRETS, MAIL, HTTP})

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_REDIS_SCHEMES = ("redis", "rediss", "unix")
_LOG_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})


def validate(settings: Settings, *, parts: Collection[str] = ALL_PARTS) -> list[str]:
    """One message per problem of ``settings`` (restricted to ``parts``), naming the variable."""
    problems: list[str] = []
    if PERSISTENCE in parts:
        problems += _persistence(settings)
    if CACHE in parts and (settings.cache_kind == "redis" or settings.queue_kind == "saq"):
        problems += _redis(settings)
    if STORAGE in parts:
        problems += _storage(settings)
    if SECRETS in parts:
        problems += _secrets(settings)
    if MAIL in parts and settings.mailer == "smtp" and not settings.smtp_host:
        problems.append("ATELIER_SMTP_HOST is required with ATELIER_MAILER=smtp")
    if HTTP in parts:
        problems += _http(settings)
    return list(dict.fromkeys(problems))  # a folder shared by two settings is named once


# -- folders -----------------------------------------------------------------------------------


def folder_problem(variable: str, path: Path) -> str | None:
    """Why ``path`` cannot be used (or created) as a writable folder, or None."""
    if path.exists():
        if not path.is_dir():
            return f"{variable}: {path} is not a folder"
        if not os.access(path, os.W_OK | os.X_OK):
            return f"{variable}: the folder {path} is not writable"
        return None
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    # worded by the blocking ancestor: folders under it share one message (named once)
    if not parent.is_dir():
        return f"{variable}: cannot create folders in {parent}: it is not a folder"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{variable}: cannot create folders in {parent}: it is not writable"
    return None


def _needs_data_dir(settings: Settings) -> bool:
    """The embedded profile keeps its generated secrets in the data folder."""
    return settings.profile == "embedded" and not (
        settings.password_pepper and (settings.jwt_secret or settings.jwt_private_key_file)
    )


# -- adapters ----------------------------------------------------------------------------------


def _persistence(settings: Settings) -> list[str]:
    kind = settings.persistence_kind
    if kind == "memory":
        return []
    url = settings.effective_database_url
    if not url:
        return [
            f"ATELIER_DATABASE_URL is required for persistence '{kind}' "
            "(e.g. postgresql+psycopg://user:password@host:5432/atelier)"
        ]
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return ["ATELIER_DATABASE_URL is not a database URL (e.g. postgresql+psycopg://...)"]
    backend = parsed.get_backend_name()
    expected = "postgresql" if kind == "postgres" else "sqlite"
    if backend != expected:
        return [
            f"ATELIER_DATABASE_URL names a {backend} database but persistence is '{kind}' "
            f"(expected a {expected} URL)"
        ]
    if kind == "postgres":
        return (
            []
            if parsed.host or parsed.query.get("host")
            else ["ATELIER_DATABASE_URL has no host (postgresql+psycopg://user:password@host/db)"]
        )
    if parsed.database in (None, "", ":memory:"):
        return []
    variable = "ATELIER_DATABASE_URL" if settings.database_url else "ATELIER_DATA_DIR"
    database = Path(parsed.database).expanduser()
    problem = folder_problem(variable, database.parent)
    if problem is None and database.exists() and not os.access(database, os.R_OK | os.W_OK):
        problem = f"{variable}: the database file {database} is not readable and writable"
    return [problem] if problem else []


def _redis(settings: Settings) -> list[str]:
    url = settings.redis_url
    if not url:
        return [
            "ATELIER_REDIS_URL is required for cache 'redis' and queue 'saq' "
            "(e.g. redis://host:6379/0)"
        ]
    parts = urlsplit(url)
    if parts.scheme not in _REDIS_SCHEMES:
        return [
            "ATELIER_REDIS_URL must start with redis://, rediss:// or unix:// "
            f"(got {parts.scheme + '://' if parts.scheme else 'no scheme'})"
        ]
    try:
        from redis.connection import parse_url

        parse_url(url)  # type: ignore[no-untyped-call]
    except (ValueError, TypeError) as exc:
        return [f"ATELIER_REDIS_URL is not usable: {exc}"]
    return []


def _storage(settings: Settings) -> list[str]:
    kind = settings.storage_kind
    problems: list[str] = []
    if kind == "s3":
        if not settings.s3_bucket:
            problems.append("ATELIER_S3_BUCKET is required for storage 's3'")
        elif not _BUCKET.match(settings.s3_bucket) or ".." in settings.s3_bucket:
            problems.append(
                "ATELIER_S3_BUCKET must be 3-63 lower-case letters, digits, '.' or '-' "
                "(an S3 bucket name)"
            )
        if settings.s3_endpoint_url:
            endpoint = urlsplit(settings.s3_endpoint_url)
            if endpoint.scheme not in {"http", "https"} or not endpoint.hostname:
                problems.append(
                    "ATELIER_S3_ENDPOINT_URL must be an http:// or https:// URL "
                    "(e.g. http://minio:9000)"
                )
        if bool(settings.s3_access_key_id) != bool(settings.s3_secret_access_key):
            problems.append(
                "ATELIER_S3_ACCESS_KEY_ID and ATELIER_S3_SECRET_ACCESS_KEY go together "
                "(set both, or neither to use the AWS credential chain)"
            )
    elif kind == "local":
        variable = "ATELIER_STORAGE_DIR" if settings.storage_dir else "ATELIER_DATA_DIR"
        problem = folder_problem(variable, settings.effective_storage_dir)
        if problem:
            problems.append(problem)
    return problems


def _secrets(settings: Settings) -> list[str]:
    problems = secret_problems(settings)
    from entrypoints.bootstrap.registry import modules

    for spec in modules():
        if spec.checks is not None:
            problems += spec.checks(settings)
    if _needs_data_dir(settings):
        problem = folder_problem("ATELIER_DATA_DIR", settings.data_path)
        if problem:
            problems.append(problem)
    return problems


def _http(settings: Settings) -> list[str]:
    problems: list[str] = []
    if settings.log_level.upper() not in _LOG_LEVELS:
        problems.append("ATELIER_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    for entry in settings.trusted_proxies:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            problems.append(f"ATELIER_TRUSTED_PROXIES: {entry!r} is not an address or a CIDR")
    for origin in settings.cors_origins:
        parts = urlsplit(origin)
        if origin != "*" and (parts.scheme not in {"http", "https"} or not parts.hostname):
            problems.append(
                f"ATELIER_CORS_ORIGINS: {origin!r} is not an origin (https://host[:port])"
            )
    if settings.public_url:
        parts = urlsplit(settings.public_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            problems.append("ATELIER_PUBLIC_URL must be an http:// or https:// URL")
    from entrypoints.bootstrap.registry import modules
    from entrypoints.http.rate_limit import limits_table, parse_limits

    buckets = {name: limit for spec in modules() for name, limit in spec.rate_limits.items()}
    try:
        parse_limits(settings.rate_limits, limits_table(buckets))
    except ValueError as exc:
        problems.append(str(exc))
    return problems
