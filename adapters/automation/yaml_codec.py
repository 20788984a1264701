"""The YamlCodec on PyYAML: a safe loader with limits on size, depth and alias expansion.

Loading is in two steps. The text (at most ``max_bytes``) is *composed* into a node graph by
the safe loader (libyaml's when installed): anchors and aliases stay shared nodes there, so
even a "billion laughs" is a few dozen nodes. The graph is then walked once *as if* every
alias were expanded, counting nodes and depth, and refused past ``max_nodes`` or
``max_depth`` (the walk stops at the limit: time bounded by the limits, not by the
expansion). Only then is it constructed, into JSON values only: keys become strings,
timestamps ISO text, binary base64 text, sets lists.

Dumping writes block-style YAML (keys in their order, unicode as is) that loads back to the
same document.
"""

from __future__ import annotations

import base64
import math
from datetime import date, datetime
from typing import Any

import yaml

from application.automation.ports import DocumentRefused, Json, ParseLimits, YamlCodec

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _check_graph(root: yaml.Node, limits: ParseLimits) -> None:
    count = 0
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > limits.max_nodes:
            raise DocumentRefused(
                f"more than {limits.max_nodes} values once its aliases are expanded"
            )
        if depth > limits.max_depth:
            raise DocumentRefused(f"nested deeper than {limits.max_depth} levels")
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))


def _jsonable(value: Any) -> Json:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {_key(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return str(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    converted = _jsonable(key)
    return converted if isinstance(converted, str) else str(converted)


class PyYamlCodec(YamlCodec):
    def load(self, text: str, limits: ParseLimits) -> Json:
        if len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
            raise DocumentRefused(f"longer than {limits.max_bytes} bytes")
        loader = _Loader(text)
        try:
            try:
                root = loader.get_single_node()
            except RecursionError as exc:
                raise DocumentRefused(f"nested deeper than {limits.max_depth} levels") from exc
            except yaml.YAMLError as exc:
                raise DocumentRefused(f"not valid YAML: {_first_line(exc)}") from exc
            if root is None:
                return None
            _check_graph(root, limits)
            try:
                value = loader.construct_document(root)
            except yaml.YAMLError as exc:
                raise DocumentRefused(f"not valid YAML: {_first_line(exc)}") from exc
            except (RecursionError, ValueError, TypeError, OverflowError) as exc:
                raise DocumentRefused(f"not a plain YAML document: {exc}") from exc
        finally:
            loader.dispose()
        return _jsonable(value)

    def dump(self, document: Json) -> str:
        text: str = yaml.dump(
            document,
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=False,
            explicit_start=True,
            width=4096,
        )
        return text


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]
