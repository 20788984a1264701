"""The OpenAPI document says what the server does: one pass over the document Litestar built.

Applied by :func:`install` to every app, so a module added later gets it without declaring
anything beyond its own errors. From the shape of each operation (and nothing else):

- **Errors.** Every error answer is ``application/problem+json`` with the one ``Problem``
  component. The platform documents the answers its own layers give: 400 (malformed request)
  and 429 and 503 (rate limits, dependencies) on every API operation; 401 and 403 on every
  operation with a security requirement; 404 where there is a path parameter; 400 and 412
  where ``If-Match`` is taken; 400, 409 and 422 where ``Idempotency-Key`` is; 400, 413, 415
  and 422 where there is a body; 422 where there is a query or path parameter. A module
  declares only what its use cases add (``responses=problem_responses(404, 409)``: a conflict,
  a referenced id that is not found...).
- **No body where there is none**: a 204 (``DELETE``, ``POST /logout``...) has no content, and
  ``HEAD`` is documented on every ``GET`` operation (the edge answers it) without a body.
- **Names**: component names carry no module path (``Page_entrypoints.http.identity.schemas.
  UserRead_`` -> ``UserPage``); a path parameter whose URL segment carries a suffix is named
  and typed as the handler declares it (``opt={"path_parameter": {"calendar": PathName(
  "technician_id", suffix=".ics", schema={...})}}`` -> ``/technicians/{technician_id}.ics``).
- **Parameters**: a query, path or header parameter cannot be JSON ``null``: its
  ``oneOf [T, null]`` becomes ``T`` (with the parameter's constraints kept).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.routes import HTTPRoute

PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"
PATH_PARAMETER_OPT = "path_parameter"
_REF_PREFIX = "#/components/schemas/"
_GENERIC = re.compile(r"^(?P<outer>[A-Za-z0-9]+)_(?P<inner>[A-Za-z0-9_.]+)_$")
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True, slots=True)
class PathName:
    """How a path parameter appears in the document: its real ``name``, the ``suffix`` its URL
    segment carries after it (``.ics``) and its JSON ``schema``."""

    name: str
    suffix: str = ""
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    description: str | None = None


def problem_content() -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}


def _problem_response(status: int) -> dict[str, Any]:
    return {"description": HTTPStatus(status).phrase, "content": problem_content()}


# -- component names -----------------------------------------------------------------------------
def _short_name(name: str, taken: set[str]) -> str:
    match = _GENERIC.match(name)
    if match is not None:
        inner = match["inner"].rsplit(".", 1)[-1]
        base = inner.removesuffix("Read") or inner
        for candidate in (f"{base}{match['outer']}", f"{inner}{match['outer']}"):
            if candidate not in taken:
                return candidate
    if "." in name:
        candidate = name.rsplit(".", 1)[-1].strip("_")
        if candidate and candidate not in taken:
            return candidate
    return name


def rename_components(document: dict[str, Any]) -> None:
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    taken = set(schemas)
    renames: dict[str, str] = {}
    for name in sorted(schemas):
        short = _short_name(name, taken - {name})
        if short != name:
            renames[name] = short
            taken.discard(name)
            taken.add(short)
    if not renames:
        return
    document["components"]["schemas"] = {renames.get(k, k): v for k, v in schemas.items()}
    for name, short in renames.items():
        if schemas[name].get("title") == name:
            document["components"]["schemas"][short]["title"] = short
    refs = {f"{_REF_PREFIX}{old}": f"{_REF_PREFIX}{new}" for old, new in renames.items()}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref in refs:
                node["$ref"] = refs[ref]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)


# -- parameters --------------------------------------------------------------------------------
def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``{"oneOf": [T, {"type": "null"}], maxLength: 5}`` -> ``T`` with ``maxLength: 5``."""
    for key in ("oneOf", "anyOf"):
        options = schema.get(key)
        if not isinstance(options, list):
            continue
        kept = [o for o in options if o != {"type": "null"}]
        if len(kept) == 1 and len(kept) < len(options):
            merged = {k: v for k, v in schema.items() if k != key}
            merged.update(kept[0])
            return merged
    return schema


def _parameters(operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in operation.get("parameters", []) if isinstance(p, dict)]


# -- the pass ----------------------------------------------------------------------------------
def _handler_opts(app: Litestar) -> dict[tuple[str, str], dict[str, Any]]:
    """``(path_format, method) -> opt`` of every route handler of ``app``."""
    opts: dict[tuple[str, str], dict[str, Any]] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                opts[(route.path_format, method.lower())] = dict(handler.opt or {})
    return opts


def _rename_path(
    path: str, item: dict[str, Any], opts: dict[tuple[str, str], dict[str, Any]]
) -> str:
    declared: dict[str, PathName] = {}
    for method in _METHODS:
        declared.update(opts.get((path, method), {}).get(PATH_PARAMETER_OPT, {}))
    for old, spec in declared.items():
        path = path.replace(f"{{{old}}}", f"{{{spec.name}}}{spec.suffix}")
        for method in _METHODS:
            for parameter in _parameters(item.get(method, {})):
                if parameter.get("in") == "path" and parameter.get("name") == old:
                    parameter["name"] = spec.name
                    parameter["schema"] = dict(spec.schema)
                    if spec.description:
                        parameter["description"] = spec.description
    return path


def _expected_errors(path: str, operation: dict[str, Any]) -> set[int]:
    statuses: set[int] = set()
    api = path.startswith("/api/")
    if api:
        statuses |= {400, 429, 503}
    if operation.get("security"):
        statuses |= {401, 403}
    parameters = _parameters(operation)
    places = {p.get("in") for p in parameters}
    headers = {str(p.get("name", "")).lower() for p in parameters if p.get("in") == "header"}
    if "path" in places:
        statuses |= {404, 422}
    if "query" in places:
        statuses |= {400, 422}
    if "if-match" in headers:
        statuses |= {400, 412}
    if "idempotency-key" in headers:
        statuses |= {400, 409, 422}
    if "requestBody" in operation:
        statuses |= {400, 413, 415, 422}
    return statuses


def _finish_operation(path: str, operation: dict[str, Any]) -> None:
    for parameter in _parameters(operation):
        if isinstance(parameter.get("schema"), dict):
            parameter["schema"] = _not_null(parameter["schema"])
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for expected in _expected_errors(path, operation):
        responses.setdefault(str(expected), _problem_response(expected))
    for status, response in responses.items():
        if not isinstance(response, dict):
            continue
        code = int(status) if status.isdigit() else 0
        if code >= 400:
            response["content"] = problem_content()
            response.setdefault("description", HTTPStatus(code).phrase)
        elif code in {204, 304}:
            response.pop("content", None)
    operation["responses"] = dict(sorted(responses.items()))


def _head_of(get: dict[str, Any]) -> dict[str, Any]:
    head = copy.deepcopy(get)
    if "operationId" in head:
        head["operationId"] = f"{head['operationId']}Head"
    head["summary"] = f"{get.get('summary') or 'GET'} (headers only)"
    head.pop("description", None)
    for status, response in head.get("responses", {}).items():
        if isinstance(response, dict) and status.isdigit() and int(status) < 400:
            response.pop("content", None)
    return head


def finish(document: dict[str, Any], app: Litestar) -> dict[str, Any]:
    """The document with every rule of the module's docstring applied (in place)."""
    opts = _handler_opts(app)
    paths: dict[str, Any] = document.get("paths", {})
    finished: dict[str, Any] = {}
    for path, item in paths.items():
        new_path = _rename_path(path, item, opts)
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                _finish_operation(path, operation)
        if isinstance(item.get("get"), dict) and "head" not in item:
            item["head"] = _head_of(item["get"])
        finished[new_path] = item
    document["paths"] = finished
    rename_components(document)
    return document


class _FinishedOpenAPIPlugin(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, handing out the finished document."""

    __slots__ = ()

    def provide_openapi_schema(self) -> dict[str, Any]:
        if not self._openapi_schema:
            self._openapi_schema = finish(self.provide_openapi().to_schema(), self.app)
        return self._openapi_schema


def install(app: Litestar) -> None:
    """Make ``app`` serve the finished document (``/schema/openapi.json`` and the viewers)."""
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = _FinishedOpenAPIPlugin
