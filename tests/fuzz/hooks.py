"""Schemathesis hooks of the fuzz tier (``SCHEMATHESIS_HOOKS=tests.fuzz.hooks``).

``positive_data_acceptance`` is told (``schemathesis.toml``) that a schema-valid request may be
422: some rules cannot be written in JSON Schema (an id that points nowhere, ``week_start`` a
Monday, a slot in the past, the password policy). This check keeps that allowance narrow: a
schema-valid request refused by one of the *edge* rules, which the document does express
(NUL characters, encodings, malformed headers and bodies, msgspec's field constraints), is a
failure: the document and the server disagree. (The 64-bit bound of integers in free-form
members is stated in words only: JSON Schema cannot tell 1e300 from a 300-digit integer.)
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import GenerationMode

#: Problem codes of rules the OpenAPI document states (so schema-valid data never meets them).
DOCUMENTED_RULES = frozenset(
    {
        "nul_character",
        "invalid_encoding",
        "malformed_json",
        "malformed_if_match",
        "invalid_idempotency_key",
        "too_deep",
        "body_required",
        "bad_request",
    }
)


def _problem(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except Exception:
        return {}
    return body if isinstance(body, dict) else {}


@schemathesis.check
def documented_rules_hold(ctx: Any, response: Any, case: Any) -> bool | None:
    meta = getattr(case, "meta", None)
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return None
    # the coverage phase mutates one part of a request at a time: every part must be valid
    if any(info.mode != GenerationMode.POSITIVE for info in meta.components.values()):
        return None
    if response.status_code not in (400, 413, 422):
        return None
    problem = _problem(response)
    code = problem.get("code")
    field_rule = code == "validation_failed" and any(
        str(e.get("message", "")).startswith(("Expected", "Object missing", "Object contains"))
        for e in problem.get("errors", [])
        if isinstance(e, dict)
    )
    if code in DOCUMENTED_RULES or field_rule:
        raise AssertionError(
            f"A schema-valid request was refused by a documented rule ({meta.phase.name} "
            f"phase): {code} {problem}"
        )
    return None
