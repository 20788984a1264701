"""The maintenance controllers' dependencies: its use cases, and the platform's helpers."""

from __future__ import annotations

from entrypoints.http.dependencies import (
    API,
    BEARER,
    COMMON,
    CreatedFromParam,
    CreatedToParam,
    FilterText,
    FromParam,
    SearchParam,
    ToParam,
    created_response,
    module_use_case_provider,
    provide_expected_version,
    provide_idempotency,
    provide_pagination,
    read_spec,
    sort_by,
    with_etag,
)

use_case = module_use_case_provider("maintenance")

__all__ = [
    "API",
    "BEARER",
    "COMMON",
    "CreatedFromParam",
    "CreatedToParam",
    "FilterText",
    "FromParam",
    "SearchParam",
    "ToParam",
    "created_response",
    "provide_expected_version",
    "provide_idempotency",
    "provide_pagination",
    "read_spec",
    "sort_by",
    "use_case",
    "with_etag",
]
