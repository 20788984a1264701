"""The AI jobs controllers' dependencies: its use cases, and the platform's helpers."""

from __future__ import annotations

from entrypoints.http.dependencies import (
    API,
    BEARER,
    COMMON,
    module_use_case_provider,
    provide_idempotency,
    read_spec,
)

use_case = module_use_case_provider("jobs")

#: The rate-limit bucket of the creating routes (``ModuleSpec.rate_limits``).
CREATE_LIMIT = {"rate_limit": "jobs_create"}

__all__ = [
    "API",
    "BEARER",
    "COMMON",
    "CREATE_LIMIT",
    "provide_idempotency",
    "read_spec",
    "use_case",
]
