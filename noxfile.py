"""Quality gates and test tiers. ``nox`` runs them all; ``nox -s unit`` runs one.

Sessions run in the current environment (``venv_backend="none"``): the README's test
command installs the project with its test extras into ``.venv`` once, and every
session uses it, so the whole suite needs one install instead of one per session.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox

# Run the tools of the environment nox itself runs in (.venv), activated or not.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

nox.options.sessions = [
    "lint",
    "typecheck",
    "imports",
    "unit",
    "contract",
    "integration",
    "e2e",
    "faults",
    "fuzz",
]
nox.options.error_on_missing_interpreters = True
nox.options.stop_on_first_error = False

PYTEST = ["pytest", "-q", "--no-header", "-ra"]


def _require_services(session: nox.Session) -> dict[str, str]:
    """The adapter tiers need the real services: unreachable is a failure on CI."""
    env = {}
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        env["ATELIER_TEST_REQUIRE_SERVICES"] = "1"
    return env


@nox.session(venv_backend="none")
def lint(session: nox.Session) -> None:
    """ruff: lint rules and formatting."""
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(venv_backend="none")
def typecheck(session: nox.Session) -> None:
    """mypy: strict on domain and application, typed everywhere else."""
    session.run("mypy", "domain", "application", "adapters", "entrypoints", "migrations")


@nox.session(venv_backend="none")
def imports(session: nox.Session) -> None:
    """import-linter: layers, a framework-free core, independent contexts."""
    session.run("lint-imports")


@nox.session(venv_backend="none")
def unit(session: nox.Session) -> None:
    """Domain rules and use cases on the memory adapters."""
    session.run(*PYTEST, "tests/unit", *session.posargs)


@nox.session(venv_backend="none")
def contract(session: nox.Session) -> None:
    """One suite per port, run against every adapter (real PostgreSQL, Redis, S3 server)."""
    session.run(*PYTEST, "tests/contract", *session.posargs, env=_require_services(session))


@nox.session(venv_backend="none")
def integration(session: nox.Session) -> None:
    """Adapters and migrations against the real services."""
    session.run(*PYTEST, "tests/integration", *session.posargs, env=_require_services(session))


SERVERS = ["granian", "uvicorn"]  # the default server first


def _server_env(session: nox.Session, server: str) -> dict[str, str]:
    return {**_require_services(session), "ATELIER_TEST_SERVER": server}


@nox.session(venv_backend="none")
@nox.parametrize("server", SERVERS)
def e2e(session: nox.Session, server: str) -> None:
    """HTTP through Litestar on the embedded and production profiles, once per server
    (``nox -s "e2e(server='granian')"`` for one): the tier's clients (``client_factory``,
    ``http_client``) go through that server on a free port (uvicorn's or granian's embedded
    server, in the test's event loop), and ``atelier serve`` starts under it. The identity
    API tests stay in process: they pose as distinct client addresses."""
    session.run(*PYTEST, "tests/e2e", *session.posargs, env=_server_env(session, server))


@nox.session(venv_backend="none")
@nox.parametrize("server", SERVERS)
def faults(session: nox.Session, server: str) -> None:
    """Dependencies frozen (SIGSTOP), stopped and restarted under load: private PostgreSQL,
    Redis and S3 servers started by the tier (never the shared ones); ``atelier serve``
    under each server."""
    session.run(*PYTEST, "tests/faults", *session.posargs, env=_server_env(session, server))


@nox.session(venv_backend="none")
def fuzz(session: nox.Session) -> None:
    """Schemathesis over the whole OpenAPI document, every check, on both profiles (each test
    starts the app itself); bounded: 5 cases per operation, phases examples, fuzzing and
    stateful. Its seed is fixed (``ATELIER_FUZZ_SEED`` overrides it), so the test command
    gives the same answer on the same code; ``fuzz-long`` explores with a new seed each run
    and prints it for replay."""
    env = {
        **_require_services(session),
        "ATELIER_FUZZ_MAX_EXAMPLES": "5",
        "ATELIER_FUZZ_PHASES": "examples,fuzzing,stateful",
        "ATELIER_FUZZ_SEED": os.environ.get("ATELIER_FUZZ_SEED", "20261128"),
    }
    session.run(*PYTEST, "-s", "tests/fuzz", *session.posargs, env=env)


@nox.session(venv_backend="none", name="fuzz-long")
def fuzz_long(session: nox.Session) -> None:
    """The same run, benchmark-sized: the coverage phase too (every boundary of every
    constraint) and 100 cases per operation (not in the default sessions)."""
    env = {
        **_require_services(session),
        "ATELIER_FUZZ_MAX_EXAMPLES": "100",
        "ATELIER_FUZZ_PHASES": "examples,coverage,fuzzing,stateful",
    }
    session.run(*PYTEST, "-s", "tests/fuzz", *session.posargs, env=env)
