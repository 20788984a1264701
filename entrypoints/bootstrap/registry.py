"""The installed modules: adding a module is one line here (and its packages).

Each name is a module whose spec is ``entrypoints/bootstrap/<name>.py: MODULE`` and whose
HTTP edge is ``entrypoints/http/<name>/`` (``router``); the composition root, the HTTP app,
the worker and the CLI iterate this list. Order matters only for readability.
"""

from __future__ import annotations

import importlib
from functools import cache

from entrypoints.bootstrap.module import ModuleSpec

INSTALLED: tuple[str, ...] = (
    "identity",
    "maintenance",
    "notifications",
    "automation",
    "media",
    "documents",
)


@cache
def modules() -> list[ModuleSpec]:
    specs = []
    for name in INSTALLED:
        spec = importlib.import_module(f"entrypoints.bootstrap.{name}").MODULE
        if not isinstance(spec, ModuleSpec) or spec.name != name:
            raise RuntimeError(f"entrypoints/bootstrap/{name}.py must define MODULE for {name!r}")
        specs.append(spec)
    return specs
