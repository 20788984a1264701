"""The request guard: what every route gets checked before its dependencies and handler run.

One Litestar middleware (app level, after routing and after authentication), so that every
module's routes, present and future, get the same rules without declaring anything:

1. **Authentication first.** A handler whose resolved ``security`` is not empty (``BEARER``
   on the handler, its controller or router) needs a valid access token: without one the
   answer is 401 (or the 503 of an identity check that could not run) before anything about
   the request's headers, query or body is looked at. A handler whose requirements include
   the empty one (``security=[*BEARER, {}]``: a token *or* something else, such as a signed
   link) checks its caller itself.
2. **Query and path parameters** get the edge rules of JSON bodies: a parameter name or value
   that is not UTF-8 once percent-decoded, or that holds a NUL character (PostgreSQL refuses
   NUL in text), is 422 naming the parameter.
3. **JSON bodies**: ``body.guard_json_body`` (415, 413, 400, 422) and then the strict decoding
   of ``data`` (``body.decode_strictly``): 422 naming each wrong field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from litestar import Request
from litestar.constants import RESERVED_KWARGS
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.params import BodyKwarg, DependencyKwarg, ParameterKwarg
from litestar.types import ASGIApp, Receive, Scope, Send

from domain.shared.errors import DomainError, FieldError
from entrypoints.http.auth import current_actor
from entrypoints.http.body import (
    NOT_JSON,
    REQUIRED,
    decode_strictly,
    guard_json_body,
    json_body_kind,
)
from entrypoints.http.errors import (
    EdgeProblem,
    handle_domain_error,
    handle_edge_problem,
    handle_http_exception,
)

_SECURED_OPT = "atelier_secured"  # cached in the handler's own ``opt`` mapping


def is_secured(route_handler: Any) -> bool:
    """Whether the handler (or a layer above it) declares a security requirement."""
    opt = getattr(route_handler, "opt", None)
    secured = opt.get(_SECURED_OPT) if isinstance(opt, dict) else None
    if secured is None:
        resolve = getattr(route_handler, "resolve_security", None)
        requirements = list(resolve()) if resolve is not None else []
        # an empty requirement ({}) makes authentication optional, as in OpenAPI
        secured = bool(requirements) and all(requirements)
        if isinstance(opt, dict):
            opt[_SECURED_OPT] = secured
    return bool(secured)


def _parameter_problem(name: str, code: str, message: str, detail: str) -> EdgeProblem:
    return EdgeProblem(
        422,
        code,
        detail,
        title="Validation failed",
        errors=[FieldError(field=name, message=message)],
    )


def _decode(raw: str, *, plus_is_space: bool = True) -> str:
    """Percent-decode ``raw`` (``+`` is a space in a query) as strict UTF-8."""
    if plus_is_space:
        raw = raw.replace("+", " ")
    return unquote_to_bytes(raw).decode("utf-8")


def check_query_string(query_string: bytes, rules: QueryRules | None = None) -> None:
    """422 naming the first parameter whose name or value is not UTF-8 or holds a NUL, that
    is given twice (unless it takes a list) or that is ``null`` where that is no value."""
    rules = rules or QueryRules()
    if not query_string:
        return
    seen: set[str] = set()
    for pair in query_string.decode("latin-1").split("&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition("=")
        try:
            name = _decode(raw_name)
        except UnicodeDecodeError:
            raise _parameter_problem(
                raw_name[:64] or "query",
                "invalid_encoding",
                "is not UTF-8",
                "A query parameter name is not UTF-8.",
            ) from None
        label = name.replace("\x00", "\\u0000")[:64] or "query"
        if "\x00" in name:
            raise _nul(label)
        try:
            value = _decode(raw_value)
        except UnicodeDecodeError:
            raise _parameter_problem(
                label, "invalid_encoding", "is not UTF-8", "A query parameter is not UTF-8."
            ) from None
        if "\x00" in value:
            raise _nul(label)
        if value == "null" and name in rules.not_null:
            raise _parameter_problem(
                label, "validation_failed", "null is not a value here", "A parameter is invalid."
            )
        if name in seen and name not in rules.repeatable:
            raise _parameter_problem(
                label, "repeated_parameter", "is given more than once", "A parameter is repeated."
            )
        seen.add(name)


def _nul(name: str) -> EdgeProblem:
    return _parameter_problem(
        name, "nul_character", "contains a NUL character", "Text may not contain NUL characters."
    )


def check_path_parameters(path_params: Any) -> None:
    """422 naming a path parameter that holds a NUL character."""
    if not isinstance(path_params, dict):
        return
    for name, value in path_params.items():
        if isinstance(value, str) and "\x00" in value:
            raise _nul(str(name))


_QUERY_OPT = "atelier_query_parameters"
_PATH_PARAMETER = re.compile(r"{(\w+)(?::[^}]*)?}")


@dataclass(frozen=True, slots=True)
class QueryRules:
    """What the guard needs to know of a handler's query parameters (its own and those of its
    dependencies): which may repeat (lists) and which must not be the word ``null`` (Litestar
    decodes query values leniently: ``?status=null`` would silently mean "no filter" for an
    optional parameter that is not text)."""

    repeatable: frozenset[str] = frozenset()
    not_null: frozenset[str] = frozenset()


def _query_fields(route_handler: Any) -> list[tuple[str, Any]]:
    signatures = [getattr(route_handler, "parsed_fn_signature", None)]
    dependencies = route_handler.resolve_dependencies()
    signatures += [getattr(d, "parsed_fn_signature", None) for d in dependencies.values()]
    path_names = {m for path in route_handler.paths for m in _PATH_PARAMETER.findall(path)}
    skipped = {*RESERVED_KWARGS, *dependencies, *path_names, "data"}
    fields: list[tuple[str, Any]] = []
    for signature in signatures:
        for name, field_definition in (signature.parameters if signature else {}).items():
            kwarg = field_definition.kwarg_definition
            if name in skipped or isinstance(kwarg, DependencyKwarg | BodyKwarg):
                continue
            if isinstance(kwarg, ParameterKwarg):
                if kwarg.header or kwarg.cookie:
                    continue
                name = kwarg.query or name
            fields.append((name, field_definition))
    return fields


def query_rules(route_handler: Any) -> QueryRules:
    opt = getattr(route_handler, "opt", None)
    if not isinstance(opt, dict) or not hasattr(route_handler, "resolve_dependencies"):
        return QueryRules()
    rules: QueryRules | None = opt.get(_QUERY_OPT)
    if rules is None:
        repeatable, not_null = set(), set()
        for name, field_definition in _query_fields(route_handler):
            if field_definition.is_non_string_sequence:
                repeatable.add(name)
            elif field_definition.is_optional and not any(
                t.annotation is str for t in field_definition.inner_types
            ):
                not_null.add(name)
        rules = opt[_QUERY_OPT] = QueryRules(frozenset(repeatable), frozenset(not_null))
    return rules


async def check_request(request: Request[Any, Any, Any]) -> None:
    """Every rule of the guard, in order; raises the first problem found."""
    scope = request.scope
    handler = scope.get("route_handler")
    if scope["method"] != "OPTIONS" and is_secured(handler):
        current_actor(request)  # 401 (or 503) before any other answer
    check_query_string(scope.get("query_string", b""), query_rules(handler))
    check_path_parameters(scope.get("path_params"))
    kind = json_body_kind(handler)
    if kind != NOT_JSON:
        document = await guard_json_body(request, required=kind == REQUIRED)
        decode_strictly(handler, document)


def request_guard(app: ASGIApp) -> ASGIApp:
    """Litestar middleware factory: see the module's docstring."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            request: Request[Any, Any, Any] = Request(scope, receive, send)
            try:
                await check_request(request)
            except (DomainError, EdgeProblem, HTTPException) as exc:
                # answered here, inside the middleware above (rate-limit headers included)
                if isinstance(exc, DomainError):
                    response = handle_domain_error(request, exc)
                elif isinstance(exc, EdgeProblem):
                    response = handle_edge_problem(request, exc)
                else:
                    response = handle_http_exception(request, exc)
                await response.to_asgi_response(app=None, request=request)(scope, receive, send)
                return
        await app(scope, receive, send)

    return middleware
