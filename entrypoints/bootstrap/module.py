"""What a module declares about itself, once: ``MODULE = ModuleSpec(...)``.

Every bounded context (identity, maintenance, documents, ...) has one package per layer
(``domain/<m>``, ``application/<m>``, ``adapters/persistence/*/<m>``, ``entrypoints/http/<m>``,
``entrypoints/bootstrap/<m>``) and one spec, in ``entrypoints/bootstrap/<m>.py``; the
composition root, the HTTP app, the worker and the CLI iterate the registered specs
(``registry.py``) instead of naming modules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from application.shared.integration import IntegrationEvent, Subscription
from application.shared.jobs import JobDefinition, Schedule

#: Builds a module's job definitions from its container (jobs call its use cases).
JobsFactory = Callable[[Any], Sequence[JobDefinition]]


@dataclass(frozen=True)
class ModuleSpec:
    name: str
    """Lower-case identifier; also the attribute of the root container holding the module's
    container (``container.maintenance``) and the package name in every layer."""
    container: type[Any]
    """A ``DeclarativeContainer`` class: the module's use cases, repositories, handlers. It
    declares ``platform = providers.DependenciesContainer()`` (the root container: clock,
    database, cache, job queue, ...) and, with a settings section,
    ``config = providers.Dependency(instance_of=<its section>)``."""
    publishes: Sequence[type[IntegrationEvent]] = ()
    """The integration events this module emits (its part of the published language)."""
    subscriptions: Sequence[Subscription] = ()
    """"On X do Y": events of other modules (or its own) and the handler use cases."""
    jobs: JobsFactory | None = None
    """``(module container) -> job definitions``: the jobs call the module's use cases."""
    schedules: Sequence[Schedule] | Callable[[Any], Sequence[Schedule]] = ()
    """Periodic jobs, or ``(module container) -> schedules`` when they come from settings."""
    tables: str | None = None
    """Dotted path of the module defining its SQLAlchemy tables (imported for migrations)."""
    settings: type[Any] | None = None
    """A msgspec Struct: the module's section of the settings (plain ``ATELIER_*`` variables)."""
    exports: Mapping[str, str] = field(default_factory=dict)
    """Published ports: ``{"<port>": "<provider on this container>"}``, reachable by other
    modules as ``"<this module>.<port>"`` (see ``imports``)."""
    imports: Mapping[str, str] = field(default_factory=dict)
    """``{"<Dependency provider on this container>": "<module>.<port>"}``: ports published by
    other modules, wired by the composition root (never by importing their code). A trailing
    ``?`` (``"documents.intervention_documents?"``) makes the import optional: when no
    installed module exports it, the Dependency provider keeps its default."""
    rate_limits: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """Rate-limit buckets its routes name (``opt={"rate_limit": "<bucket>"}``):
    ``{"<bucket>": (requests, window seconds)}``; ``ATELIER_RATE_LIMITS`` can override them."""
    checks: Callable[[Any], Sequence[str]] | None = None
    """``(settings) -> problems``: the module's own configuration checks that depend on the
    profile (run by ``atelier check-config``, ``serve`` and ``migrate`` with the secrets),
    e.g. a secret the production profile requires."""
    setup: Callable[[Any], None] | None = None
    """Called once with the built module container: in-process wiring such as subscribing
    cache invalidation to the module's own domain events."""
    startup: Callable[[Any], Awaitable[None]] | None = None
    """Awaited with the module container when the HTTP app starts, after the pools are open
    (e.g. queue a warm-up job). It must be quick and must not fail the start: it catches and
    logs its own errors."""
    stopping: Callable[[Any], Awaitable[None]] | None = None
    """Awaited with the module container by ``shutdown`` before the pools close: stop the
    module's own background tasks (they must not outlive the pools they use)."""
