"""Guard for routes that take a JSON body: nothing malformed reaches the handler or a 500.

Runs as route middleware (after routing, so it knows the handler) on handlers that declare a
``data`` parameter decoded from JSON. In order:

1. a ``Content-Type`` that is not JSON (``application/json`` or ``application/*+json``) -> 415;
   a body without any ``Content-Type`` -> 415 too;
2. the size limit -> 413, enforced by Litestar while streaming: ``Content-Length`` is checked
   before reading and streamed (chunked) bytes are counted, aborting past the limit. The limit is
   the app's ``request_max_body_size`` (``settings.max_body_bytes``) unless the handler sets its
   own (``@post(..., request_max_body_size=N)``), which is how upload routes raise it;
3. not UTF-8 or not JSON -> 400 ``malformed_json``; nested deeper than 64 -> 400 ``too_deep``;
4. a NUL character in any string (keys included) -> 422 ``nul_character``; an integer beyond
   64 bits or a number beyond float range -> 422 ``number_out_of_range``;
5. :func:`decode_strictly`: the document is converted to the type of ``data`` with msgspec in
   strict mode (a string where an integer is expected is 422, as is ``1.5`` or ``true``; ``1.0``
   is the integer 1, as in JSON Schema), and a
   failure is 422 ``validation_failed`` naming the field by its path (``password``,
   ``working_hours.0.start``); a missing required field is named too.

The decoded document is cached on the request by Litestar, so the handler's ``data`` is then
converted from it (msgspec: unknown fields ignored, ``Meta`` constraints -> 422). The guard runs
in ``guard.request_guard``, after the authentication check.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import SerializationException

from domain.shared.errors import FieldError
from entrypoints.http.errors import EdgeProblem

MAX_JSON_DEPTH = 64
_INT_MIN = -(2**63)
_UINT_MAX = 2**64 - 1
_NON_JSON_ENCODINGS = {
    RequestEncodingType.MULTI_PART.value,
    RequestEncodingType.URL_ENCODED.value,
    RequestEncodingType.MESSAGEPACK.value,
}
NOT_JSON = "not-json"
REQUIRED = "required"
OPTIONAL = "optional"
_KIND_OPT = "atelier_json_body_kind"  # cached in the handler's own ``opt`` mapping
_TYPE_OPT = "atelier_json_body_type"
#: :func:`guard_json_body`'s answer for an empty optional body.
NO_BODY: Any = object()


def is_json_media_type(media_type: str) -> bool:
    media_type = media_type.strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def json_body_kind(route_handler: Any) -> str:
    """``required`` / ``optional`` when the handler declares a ``data`` parameter decoded from
    JSON (optional when it has a default), ``not-json`` otherwise."""
    opt = getattr(route_handler, "opt", None)
    kind = opt.get(_KIND_OPT) if isinstance(opt, dict) else None
    if kind is None:
        signature = getattr(route_handler, "parsed_fn_signature", None)
        parameter = signature.parameters.get("data") if signature is not None else None
        if parameter is None:
            kind = NOT_JSON
        else:
            media_type = getattr(parameter.kwarg_definition, "media_type", None)
            if getattr(media_type, "value", media_type) in _NON_JSON_ENCODINGS:
                kind = NOT_JSON
            else:
                kind = OPTIONAL if parameter.has_default or parameter.is_optional else REQUIRED
        if isinstance(opt, dict):
            opt[_KIND_OPT] = kind
    return kind


def _malformed(detail: str) -> EdgeProblem:
    return EdgeProblem(400, "malformed_json", detail, title="Malformed JSON body")


def _field(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path) or "body"


def check_document(value: Any) -> None:
    """Depth, NUL characters and integer range of an already decoded JSON document."""
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(value, 0, ())]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, dict):
            if depth + 1 > MAX_JSON_DEPTH:
                raise _too_deep()
            for key, child in item.items():
                if "\x00" in key:
                    raise _nul((*path, key.replace("\x00", "\\u0000")))
                stack.append((child, depth + 1, (*path, key)))
        elif isinstance(item, list):
            if depth + 1 > MAX_JSON_DEPTH:
                raise _too_deep()
            stack.extend((child, depth + 1, (*path, i)) for i, child in enumerate(item))
        elif isinstance(item, str):
            if "\x00" in item:
                raise _nul(path)
        elif (
            isinstance(item, int)
            and not isinstance(item, bool)
            and not _INT_MIN <= item <= _UINT_MAX
        ):
            raise _out_of_range(_field(path))


def _too_deep() -> EdgeProblem:
    return EdgeProblem(
        400,
        "too_deep",
        f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.",
        title="JSON body too deep",
    )


def _nul(path: tuple[str | int, ...]) -> EdgeProblem:
    field = _field(path)
    return EdgeProblem(
        422,
        "nul_character",
        "Text may not contain NUL characters.",
        title="Validation failed",
        errors=[FieldError(field=field, message="contains a NUL character")],
    )


def _out_of_range(field: str) -> EdgeProblem:
    return EdgeProblem(
        422,
        "number_out_of_range",
        "A number in the body is out of range.",
        title="Validation failed",
        errors=[FieldError(field=field, message="number out of range")],
    )


async def guard_json_body(request: Request[Any, Any, Any], *, required: bool = True) -> Any:
    """Run every check; on success the decoded document is cached on ``request`` and
    returned (:data:`NO_BODY` for an empty optional body)."""
    content_type = request.headers.get("content-type")
    if content_type is not None and not is_json_media_type(content_type.split(";", 1)[0]):
        raise EdgeProblem(
            415,
            "unsupported_media_type",
            "This route takes application/json.",
            headers={"Accept": "application/json"},
        )
    body = await request.body()  # RequestEntityTooLarge (413) past the route's limit
    if not body:
        if required:
            raise EdgeProblem(
                400, "body_required", "This route needs a JSON body.", title="Missing body"
            )
        return NO_BODY
    if content_type is None:
        raise EdgeProblem(
            415,
            "unsupported_media_type",
            "A body needs Content-Type: application/json.",
            headers={"Accept": "application/json"},
        )
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed("The body is not valid UTF-8.") from None
    try:
        document = await request.json()
    except RecursionError:
        raise _too_deep() from None
    except SerializationException as exc:
        cause = exc.__cause__
        if isinstance(cause, msgspec.ValidationError):  # numbers beyond what JSON decodes
            raise _out_of_range("body") from None
        raise _malformed("The body is not valid JSON.") from None
    except (msgspec.DecodeError, ValueError):
        raise _malformed("The body is not valid JSON.") from None
    check_document(document)
    return document


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]+)`")
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[([^\]]*)\]")


def field_path(error: msgspec.ValidationError) -> tuple[str, str]:
    """``(field, message)`` of a msgspec validation error: ``Expected `int`, got `str` - at
    `$.items[0].minutes``` -> ``("items.0.minutes", "Expected `int`, got `str`")``; a missing
    field is named by itself (``Object missing required field `password``` -> ``password``)."""
    text = str(error)
    path: list[str] = []
    at = _AT.search(text)
    if at is not None:
        text = text[: at.start()]
        path = [next(g for g in m.groups() if g is not None) for m in _STEP.finditer(at["path"])]
    missing = _MISSING.match(text)
    if missing is not None:
        path.append(missing["name"])
    return ".".join(path) or "body", text


def body_type(route_handler: Any) -> Any:
    """The type the handler's ``data`` is decoded to (None without one)."""
    opt = getattr(route_handler, "opt", None)
    if isinstance(opt, dict) and _TYPE_OPT in opt:
        return opt[_TYPE_OPT]
    signature = getattr(route_handler, "parsed_fn_signature", None)
    parameter = signature.parameters.get("data") if signature is not None else None
    annotation = parameter.annotation if parameter is not None else None
    if isinstance(opt, dict):
        opt[_TYPE_OPT] = annotation
    return annotation


def _integral_floats_as_ints(value: Any) -> Any:
    """``30.0`` -> ``30``: JSON (and JSON Schema) makes no difference between them, so an
    integer field takes either; ``30.5`` and ``"30"`` stay refused."""
    if isinstance(value, float) and value.is_integer() and _INT_MIN <= value <= _UINT_MAX:
        return int(value)
    if isinstance(value, dict):
        return {k: _integral_floats_as_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral_floats_as_ints(v) for v in value]
    return value


def decode_strictly(route_handler: Any, document: Any) -> None:
    """Convert ``document`` to the type of the handler's ``data`` in msgspec's strict mode:
    422 ``validation_failed`` naming the field on failure (Litestar converts leniently)."""
    if document is NO_BODY:
        return
    annotation = body_type(route_handler)
    if annotation is None or annotation is Any:
        return
    try:
        msgspec.convert(
            _integral_floats_as_ints(document),
            annotation,
            strict=True,
            dec_hook=getattr(route_handler, "default_deserializer", None),
        )
    except msgspec.ValidationError as exc:
        field, message = field_path(exc)
        raise EdgeProblem(
            422,
            "validation_failed",
            "The input is not valid.",
            title="Validation failed",
            errors=[FieldError(field=field, message=message)],
        ) from None
