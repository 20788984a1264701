"""The automation module's HTTP edge: playbooks, variable types, the Galaxy catalogue."""

from __future__ import annotations

from litestar import Router

from entrypoints.http.automation.galaxy import GalaxyController
from entrypoints.http.automation.playbooks import PlaybooksController
from entrypoints.http.automation.variable_types import (
    AdminVariableTypesController,
    VariableTypesController,
)

router = Router(
    path="/",
    route_handlers=[
        PlaybooksController,
        VariableTypesController,
        AdminVariableTypesController,
        GalaxyController,
    ],
)

__all__ = ["router"]
