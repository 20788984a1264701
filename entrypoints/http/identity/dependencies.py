"""The identity controllers' dependencies: its use cases from the container."""

from __future__ import annotations

from entrypoints.http.dependencies import module_use_case_provider

use_case = module_use_case_provider("identity")

__all__ = ["use_case"]
