"""Limits of the JSON documents the automation module keeps or parses: depth and size.

Measured without recursion, so a hostile document cannot exhaust the stack while it is
being judged.
"""

from __future__ import annotations

import json
from typing import Any

JsonValue = Any


def depth_of(value: JsonValue, *, stop_after: int | None = None) -> int:
    """Nesting depth: a scalar is 0, ``{}`` or ``[]`` is 1, ``{"a": []}`` is 2. With
    ``stop_after``, the walk ends as soon as the depth exceeds it (the answer is then
    ``stop_after + 1``)."""
    deepest = 0
    stack: list[tuple[JsonValue, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        level += 1
        if level > deepest:
            deepest = level
            if stop_after is not None and deepest > stop_after:
                return deepest
        stack.extend((child, level) for child in children)
    return deepest


def encoded_size(value: JsonValue) -> int:
    """Bytes of the compact UTF-8 JSON encoding (what is stored)."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def has_nul(value: JsonValue) -> bool:
    """True when a string or key anywhere holds a NUL character."""
    stack: list[JsonValue] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and "\x00" in key:
                    return True
                stack.append(child)
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False
