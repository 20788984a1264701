"""The media controllers' dependencies: its use cases, and the platform's helpers."""

from __future__ import annotations

from entrypoints.http.dependencies import module_use_case_provider

use_case = module_use_case_provider("media")

__all__ = ["use_case"]
