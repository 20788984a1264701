"""OpenAPI document and its viewers, working with no internet access.

- ``/schema`` and ``/schema/openapi.json``: the document (``/schema/openapi.yaml`` too);
- ``/schema/swagger`` and ``/schema/redoc``: the viewers, whose JS/CSS are vendored under
  ``static/vendor/`` (swagger-ui-dist 5.35.0, redoc 2.5.4, licences alongside) and served by the
  app at ``/static``; no favicon, font or validator is fetched from elsewhere (the docs CSP set
  in ``middleware.py`` would block it anyway).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import (
    JsonRenderPlugin,
    RedocRenderPlugin,
    SwaggerRenderPlugin,
    YamlRenderPlugin,
)
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/static"
VENDOR = f"{STATIC_PATH}/vendor"
NO_FAVICON = "<link rel='icon' href='data:,'>"
BEARER_SCHEME = "BearerToken"


class OfflineSwaggerPlugin(SwaggerRenderPlugin):
    """Swagger UI without the online validator badge (it calls validator.swagger.io)."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        page = super().render(request, openapi_schema)
        marker = b"deepLinking: true,"
        if marker not in page:  # pragma: no cover - a Litestar upgrade changed the template
            raise RuntimeError("Swagger template changed: cannot disable the validator badge")
        return page.replace(marker, marker + b" validatorUrl: null,", 1)


def openapi_config(*, title: str = "Atelier API", version: str = "1.0.0") -> OpenAPIConfig:
    return OpenAPIConfig(
        title=title,
        version=version,
        description=(
            "Maintenance management (CMMS) API. Errors are RFC 9457 problem details "
            "(application/problem+json) with a stable `code`. Any route may answer 503 with "
            "`Retry-After`: `overloaded` (the worker has too many requests in progress), "
            "`database_unavailable`, `cache_unavailable` or `storage_unavailable`."
        ),
        path="/schema",
        use_handler_docstrings=True,
        components=Components(
            security_schemes={
                BEARER_SCHEME: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="Access token from POST /api/v1/auth/login.",
                )
            }
        ),
        render_plugins=[
            JsonRenderPlugin(path=["/", "/openapi.json"]),
            YamlRenderPlugin(path=["/openapi.yaml"]),
            OfflineSwaggerPlugin(
                path="/swagger",
                js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
                css_url=f"{VENDOR}/swagger-ui/swagger-ui.css",
                standalone_preset_js_url=f"{VENDOR}/swagger-ui/swagger-ui-standalone-preset.js",
                favicon=NO_FAVICON,
            ),
            RedocRenderPlugin(
                path="/redoc",
                js_url=f"{VENDOR}/redoc/redoc.standalone.js",
                google_fonts=False,
                favicon=NO_FAVICON,
            ),
        ],
    )


def static_router() -> Router:
    return create_static_files_router(
        path=STATIC_PATH,
        directories=[STATIC_DIR],
        name="static",
        include_in_schema=False,
        cache_control=None,
    )
