"""The media library's HTTP edge: ``router`` (categories, colours, themes, images)."""

from __future__ import annotations

from litestar import Router

from entrypoints.http.media.catalogue import (
    CategoriesController,
    ColorsController,
    ThemesController,
)
from entrypoints.http.media.images import ImagesController

router = Router(
    path="/",
    route_handlers=[CategoriesController, ColorsController, ThemesController, ImagesController],
)

__all__ = ["router"]
