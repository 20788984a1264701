"""The one error hierarchy of Atelier.

Use cases raise these; the HTTP edge maps each class once to an RFC 9457 problem
(see ``entrypoints/http/errors.py``). ``code`` is a stable machine-readable string.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    """Base of every error a use case may raise on purpose.

    ``errors`` names the fields at fault (``[{field, message}]`` of the problem document);
    any error may carry them, e.g. a 409 ``serial_taken`` names ``serial_number``.
    """

    code: str = "domain_error"
    title: str = "Request could not be processed"

    def __init__(
        self,
        detail: str = "",
        *,
        code: str | None = None,
        extra: Mapping[str, object] | None = None,
        errors: Sequence[FieldError] = (),
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if code is not None:
            self.code = code
        self.extra: Mapping[str, object] = dict(extra or {})
        self.errors: tuple[FieldError, ...] = tuple(errors)


class BadRequest(DomainError):
    """The request is well-formed but refers to something unusable (a used token...)."""

    code = "bad_request"
    title = "Bad request"


class NotFound(DomainError):
    """Missing, or not visible to the caller (never leak existence)."""

    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    """Duplicate, or a state that forbids the change."""

    code = "conflict"
    title = "Conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "Invalid state transition"


class PreconditionFailed(DomainError):
    """An ``If-Match`` version did not match the current one."""

    code = "version_mismatch"
    title = "Precondition failed"


class RuleViolated(DomainError):
    """A business rule or a validation rule refused the input."""

    code = "rule_violated"
    title = "Business rule violated"


class ValidationFailed(RuleViolated):
    """Input failed validation; ``errors`` names each field."""

    code = "validation_failed"
    title = "Validation failed"

    def __init__(
        self,
        detail: str = "",
        *,
        errors: Sequence[FieldError] = (),
        code: str | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(detail or "The input is not valid.", code=code, extra=extra, errors=errors)


class UnknownReference(ValidationFailed):
    """422 ``unknown_reference``: a field holds the id of a row that does not exist (a
    foreign key that points nowhere), e.g. an equipment ``owner_id`` that is no user."""

    code = "unknown_reference"
    title = "Unknown reference"

    def __init__(self, field: str, target: str, *, detail: str = "") -> None:
        message = f"no {target} has this id"
        super().__init__(detail or f"{field}: {message}.", errors=[FieldError(field, message)])
        self.field = field
        self.target = target


class DuplicateValue(Conflict):
    """409: the value of ``fields`` is already taken by another row (a unique constraint).
    ``code`` names the rule when it has one (``serial_taken``, ``email_taken``...)."""

    code = "duplicate_value"
    title = "Duplicate value"

    def __init__(self, fields: Sequence[str], detail: str = "", *, code: str | None = None) -> None:
        names = ", ".join(fields)
        super().__init__(
            detail or f"This {names} is already taken.",
            code=code,
            errors=[FieldError(name, "already taken") for name in fields],
        )
        self.fields = tuple(fields)


class StillReferenced(Conflict):
    """409 ``still_referenced``: the row cannot be removed or re-keyed while other rows
    refer to it."""

    code = "still_referenced"
    title = "Still referenced"


class TooLarge(DomainError):
    """413: a value is over its size limit (``errors`` names the field), e.g. a playbook
    ``content`` over 256 KiB inside a body the edge accepted."""

    code = "too_large"
    title = "Payload too large"


class UnsupportedMediaType(DomainError):
    """415: content of a type the route does not take (judged from the bytes for uploads)."""

    code = "unsupported_media_type"
    title = "Unsupported media type"


class Unauthenticated(DomainError):
    """No credentials, or credentials that cannot be trusted."""

    code = "unauthenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    """Authenticated, but not allowed to do this."""

    code = "forbidden"
    title = "Forbidden"


class RateLimited(DomainError):
    """Too many attempts; ``retry_after`` is in seconds."""

    code = "rate_limited"
    title = "Too many requests"

    def __init__(self, detail: str = "", *, retry_after: int, code: str | None = None) -> None:
        super().__init__(detail or "Too many requests; try again later.", code=code)
        self.retry_after = max(1, int(retry_after))


class DependencyUnavailable(DomainError):
    """A database, cache, storage or upstream service did not answer."""

    code = "dependency_unavailable"
    title = "Service unavailable"
