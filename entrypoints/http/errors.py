"""One mapping from errors to RFC 9457 problem details (``application/problem+json``).

Every error answer of the API goes through :func:`problem_response`:

- ``DomainError`` subclasses (raised by use cases) map by class, see ``_DOMAIN_STATUS``;
- :class:`EdgeProblem` is raised by the HTTP edge itself (body guard, headers, ...);
- Litestar's own exceptions (validation, 404, 405, 413, ...) map by status code;
- anything else is a 500 with a generic detail; the traceback is logged, never sent.

Problem body: ``{type, title, status, detail, instance, code, request_id}`` plus
``errors: [{field, message}]`` for validation failures and the error's ``extra`` members.
``type`` is the relative URI-reference ``/problems/<code>`` (RFC 9457 section 3.1.1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.types import ExceptionHandlersMap

from domain.shared.errors import (
    BadRequest,
    Conflict,
    DependencyUnavailable,
    DomainError,
    FieldError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    RateLimited,
    RuleViolated,
    TooLarge,
    Unauthenticated,
    UnsupportedMediaType,
)

PROBLEM_JSON = "application/problem+json"
DEPENDENCY_RETRY_AFTER_SECONDS = 5
_RESERVED = frozenset(
    {"type", "title", "status", "detail", "instance", "code", "errors", "request_id"}
)

log = structlog.get_logger("atelier.http.errors")

# Most specific first: the first class in the exception's MRO found here wins.
_DOMAIN_STATUS: dict[type[DomainError], int] = {
    BadRequest: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,  # InvalidTransition too
    PreconditionFailed: 412,
    UnsupportedMediaType: 415,
    RuleViolated: 422,  # ValidationFailed too
    TooLarge: 413,
    RateLimited: 429,
    DependencyUnavailable: 503,
}

_HTTP_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "version_mismatch",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


class EdgeProblem(Exception):
    """A problem detected by the HTTP edge itself (not by a use case)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.errors = tuple(errors)
        self.headers = dict(headers or {})


def problem_body(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    instance: str,
    request_id: str | None = None,
    errors: Sequence[FieldError] = (),
    extra: Mapping[str, object] | None = None,
) -> bytes:
    """The problem document, JSON-encoded (extension members never override standard ones)."""
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    if errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    if request_id:
        body["request_id"] = request_id
    for key, value in (extra or {}).items():
        if key not in _RESERVED:
            body[key] = value
    return msgspec.json.encode(body, enc_hook=str)


def problem_response(
    request: Request[Any, Any, Any],
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, object] | None = None,
) -> Response[bytes]:
    """The one place that shapes a problem+json answer."""
    content = problem_body(
        status=status,
        code=code,
        title=title,
        detail=detail,
        instance=request.url.path,
        request_id=request.scope.get("state", {}).get("request_id"),
        errors=errors,
        extra=extra,
    )
    return Response(
        content=content,
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers or {}),
    )


def _www_authenticate(request: Request[Any, Any, Any]) -> str:
    presented = request.headers.get("authorization", "").lower().startswith("bearer ")
    return 'Bearer error="invalid_token"' if presented else "Bearer"


def domain_status(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in _DOMAIN_STATUS:
            return _DOMAIN_STATUS[cls]
    return 400


def handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[bytes]:
    status = domain_status(exc)
    headers: dict[str, str] = {}
    extra: dict[str, object] = dict(exc.extra)
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = _www_authenticate(request)
    elif isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
        headers["RateLimit-Remaining"] = "0"
        headers["RateLimit-Reset"] = str(exc.retry_after)
        if "limit" in extra:
            headers["RateLimit-Limit"] = str(extra.pop("limit"))
    elif isinstance(exc, DependencyUnavailable):
        retry = extra.pop("retry_after", DEPENDENCY_RETRY_AFTER_SECONDS)
        headers["Retry-After"] = str(retry)
    errors = exc.errors
    return problem_response(
        request,
        status=status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        errors=errors,
        headers=headers,
        extra=extra,
    )


def handle_edge_problem(request: Request[Any, Any, Any], exc: EdgeProblem) -> Response[bytes]:
    return problem_response(
        request,
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors,
        headers=exc.headers,
    )


def _validation_errors(extra: object) -> list[FieldError]:
    errors: list[FieldError] = []
    if isinstance(extra, list):
        for item in extra:
            if isinstance(item, Mapping):
                field = str(item.get("key") or item.get("source") or "body")
                errors.append(FieldError(field=field, message=str(item.get("message", "invalid"))))
    return errors


def handle_validation_exception(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[bytes]:
    errors = _validation_errors(exc.extra)
    if not errors:
        return problem_response(
            request, status=400, code="bad_request", title="Bad Request", detail=exc.detail
        )
    return problem_response(
        request,
        status=422,
        code="validation_failed",
        title="Validation failed",
        detail="The input is not valid.",
        errors=errors,
    )


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    if status >= 500 and status != 503:
        return handle_internal_error(request, exc)
    headers = dict(exc.headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = _www_authenticate(request)
    if status == 503:
        headers.setdefault("Retry-After", str(DEPENDENCY_RETRY_AFTER_SECONDS))
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    detail = exc.detail if exc.detail and exc.detail != title else f"{title}."
    if status == 404:
        detail = "No resource at this address."
    elif status == 405:
        detail = f"Method {request.method} is not allowed here."
    elif status == 413:
        detail = "The request body is larger than this route accepts."
    return problem_response(
        request,
        status=status,
        code=_HTTP_CODES.get(status, f"http_{status}"),
        title=title,
        detail=detail,
        headers=headers,
    )


def handle_internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.error(
        "unhandled_exception",
        exc_info=exc,
        path=request.url.path,
        method=request.method,
        request_id=request.scope.get("state", {}).get("request_id"),
    )
    return problem_response(
        request,
        status=500,
        code="internal_error",
        title="Internal Server Error",
        detail="An unexpected error occurred; quote the request_id when reporting it.",
    )


def exception_handlers() -> ExceptionHandlersMap:
    """The app-level handlers; Litestar picks the closest class in the exception's MRO."""
    return {
        DomainError: handle_domain_error,
        EdgeProblem: handle_edge_problem,
        ValidationException: handle_validation_exception,
        HTTPException: handle_http_exception,
        Exception: handle_internal_error,
    }


# -- OpenAPI description of the problem answers ---------------------------------------------------
class ProblemField(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, as every error answer of the API is shaped."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    request_id: str | None = None
    errors: list[ProblemField] | None = None


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """``responses=problem_responses(404, 409, 422)`` on a route handler documents its errors."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            generate_examples=False,
            description=HTTPStatus(status).phrase,
            media_type=PROBLEM_JSON,
        )
        for status in statuses
    }
