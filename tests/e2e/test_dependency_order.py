"""Handlers' dependencies are resolved one after another (``app._resolve_dependencies_in_turn``):
Litestar would spawn an anyio task group per request for every level of the graph that holds
two of them, and ours are synchronous or a lookup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.routes import HTTPRoute

from entrypoints.http.app import create_app
from tests.e2e.conftest import make_container


def test_each_dependency_comes_alone_and_after_those_it_needs(tmp_path: Path) -> None:
    app = create_app(make_container(tmp_path, rate_limit_enabled=False))
    models: list[Any] = [
        model
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for _, model in route.route_handler_map.values()
    ]
    widest = max(sum(len(batch) for batch in model.dependency_batches) for model in models)
    assert widest >= 2  # handlers with several dependencies exist (actor, use_case, ...)
    for model in models:
        resolved: set[str] = set()
        for batch in model.dependency_batches:
            assert len(batch) == 1
            (dependency,) = batch
            assert {d.key for d in dependency.dependencies} <= resolved
            resolved.add(dependency.key)
