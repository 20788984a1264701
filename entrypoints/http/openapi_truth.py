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
- **Bodies are described by the decoder itself**: each request body's schema (and the
  components it uses) is msgspec's own JSON Schema of the type the handler decodes
  (``msgspec.json.schema_components``), so every constraint (lengths, ranges, patterns, the
  constraints of list items, required fields) is the one the server applies. Members a body
  does not define are accepted and ignored by the server: they are documented as any JSON
  value without NUL characters and with integers in 64 bits (``JsonValue``), which is what
  the body guard lets through.
- **Parameters**: a query, path or header parameter cannot be JSON ``null``: its
  ``oneOf [T, null]`` becomes ``T`` (with the parameter's constraints kept).
- **Text has no NUL** (the request guard and the body guard refuse it, 422): every string
  schema without a pattern, format or enum gets the pattern ``^[^\\x00]*$``, and every
  object with free-form keys gets it as ``propertyNames``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.routes import HTTPRoute

from entrypoints.http.body import NOT_JSON, REQUIRED, body_type, json_body_kind

PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"
PATH_PARAMETER_OPT = "path_parameter"
_REF_PREFIX = "#/components/schemas/"
_GENERIC = re.compile(r"^(?P<outer>[A-Za-z0-9]+)_(?P<inner>[A-Za-z0-9_.]+)_$")
NO_NUL = "^[^\\x00]*$"
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


def _no_nul(node: Any) -> None:
    """Add :data:`NO_NUL` to every plain string schema and free-form object under ``node``."""
    if isinstance(node, dict):
        kind = node.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        if "string" in kinds and not {"pattern", "format", "enum", "const"} & set(node):
            node["pattern"] = NO_NUL
        if "object" in kinds and node.get("additionalProperties") is not False:
            node.setdefault("propertyNames", {"pattern": NO_NUL})
        for key, value in node.items():
            if key not in {"examples", "example", "default", "const", "enum"}:
                _no_nul(value)
    elif isinstance(node, list):
        for value in node:
            _no_nul(value)


def _form_properties(schema: Any, document: dict[str, Any]) -> list[Any]:
    """The field schemas of a form body (following one ``$ref`` to a component)."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document.get("components", {}).get("schemas", {}).get(name, {})
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    return list(properties.values()) if isinstance(properties, dict) else []


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
def _handlers(app: Litestar) -> dict[tuple[str, str], Any]:
    """``(path_format, method) -> route handler`` of ``app``."""
    handlers: dict[tuple[str, str], Any] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                handlers[(route.path_format, method.lower())] = handler
    return handlers


JSON_VALUE = "JsonValue"


def _json_value_schema() -> dict[str, Any]:
    # one schema with a list of types rather than anyOf: a value cannot be "made invalid" by
    # moving it to another branch, which fuzzers would count as a violation
    ref = {"$ref": f"{_REF_PREFIX}{JSON_VALUE}"}
    return {
        "description": "Any JSON value without NUL characters; integers written without an "
        "exponent must fit in 64 bits (422 `number_out_of_range`).",
        "type": ["string", "integer", "number", "boolean", "null", "array", "object"],
        "pattern": NO_NUL,
        # the 64-bit bound is stated in words: JSON Schema cannot tell 1e300 (a float the
        # server takes) from a 300-digit integer (one it refuses)
        "items": ref,
        "propertyNames": {"pattern": NO_NUL},
        "additionalProperties": ref,
    }


def _body_schemas(document: dict[str, Any], handlers: dict[tuple[str, str], Any]) -> None:
    """Replace each JSON request body's schema by msgspec's schema of the decoded type."""
    targets: list[tuple[dict[str, Any], Any]] = []
    for (path, method), handler in handlers.items():
        operation = document.get("paths", {}).get(path, {}).get(method)
        content = (operation or {}).get("requestBody", {}).get("content", {})
        media = content.get("application/json")
        if media is None or json_body_kind(handler) == NOT_JSON:
            continue
        annotation = body_type(handler)
        if annotation is None or annotation is Any:
            continue
        targets.append((media, annotation))
        operation["requestBody"]["required"] = json_body_kind(handler) == REQUIRED
    if not targets:
        return
    schemas, components = msgspec.json.schema_components(
        [annotation for _, annotation in targets], ref_template=_REF_PREFIX + "{name}"
    )
    for (media, _), schema in zip(targets, schemas, strict=True):
        media["schema"] = _free_form_is_json_value(schema)
    registry = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in components.items():
        registry[name] = _free_form_is_json_value(schema)
    registry[JSON_VALUE] = _json_value_schema()


def _free_form_is_json_value(node: Any) -> Any:
    """``{}`` (any value) and an object's unlisted members become :data:`JSON_VALUE`."""
    ref = {"$ref": f"{_REF_PREFIX}{JSON_VALUE}"}
    if isinstance(node, dict):
        if not node:
            return ref
        out = {
            k: _free_form_is_json_value(v) if k not in _LITERAL_KEYS else v for k, v in node.items()
        }
        if out.get("type") == "object" and "additionalProperties" not in out:
            out["additionalProperties"] = ref
        return out
    if isinstance(node, list):
        return [_free_form_is_json_value(v) for v in node]
    return node


_LITERAL_KEYS = frozenset({"default", "examples", "example", "enum", "const", "required"})


def _rename_path(path: str, item: dict[str, Any], handlers: dict[tuple[str, str], Any]) -> str:
    declared: dict[str, PathName] = {}
    for method in _METHODS:
        handler = handlers.get((path, method))
        opt = getattr(handler, "opt", None) or {}
        declared.update(opt.get(PATH_PARAMETER_OPT, {}))
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
        for media_type, media in (response.get("content") or {}).items():
            # a YAML or XML document is not a JSON string: describe it, do not type it
            if isinstance(media, dict) and ("yaml" in media_type or "xml" in media_type):
                media["schema"] = {"description": f"A {media_type} document."}
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
    handlers = _handlers(app)
    _body_schemas(document, handlers)
    paths: dict[str, Any] = document.get("paths", {})
    finished: dict[str, Any] = {}
    for path, item in paths.items():
        new_path = _rename_path(path, item, handlers)
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                _finish_operation(path, operation)
        if isinstance(item.get("get"), dict) and "head" not in item:
            item["head"] = _head_of(item["get"])
        finished[new_path] = item
    document["paths"] = finished
    _no_nul(document.get("components", {}).get("schemas", {}))
    for item in finished.values():
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                _no_nul(operation.get("parameters", []))
                content = operation.get("requestBody", {}).get("content", {})
                _no_nul([m for t, m in content.items() if "json" in t])
                # a form's own fields refuse NUL too (its unknown fields are ignored, whatever
                # their name: no propertyNames on the form itself)
                for media_type, media in content.items():
                    if media_type.startswith("multipart/") or "urlencoded" in media_type:
                        _no_nul(list(_form_properties(media.get("schema", {}), document)))
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
