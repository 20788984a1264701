"""The automation controllers' dependencies."""

from __future__ import annotations

from entrypoints.http.dependencies import module_use_case_provider

use_case = module_use_case_provider("automation")

__all__ = ["use_case"]
