"""Judging a value against a variable type, in time linear in the value.

* builtins: ``string`` (anything), ``int`` (64-bit signed), ``bool`` (Ansible's words),
  ``list`` and ``dict`` (YAML or JSON text of that shape);
* a custom regular expression: the pattern engine's full match (RE2: linear time whatever
  the pattern);
* ``| from_json``: the standard library's parser, then the depth and node limits;
* ``| from_yaml``: the YAML codec's bounded safe loader (aliases counted as they expand).

The value is at most 64 KiB (checked before anything else). Compiled patterns are kept in
a small LRU, keyed by the pattern text.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from typing import Any

from application.automation.ports import (
    CompiledPattern,
    DocumentRefused,
    ParseLimits,
    PatternEngine,
    YamlCodec,
)
from application.automation.views import Verdict
from domain.automation.content import depth_of
from domain.automation.variable_types import MAX_VALUE_BYTES, PatternKind, pattern_kind

INT_RULE = re.compile(r"[+-]?[0-9]{1,19}")
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
TRUE_WORDS = frozenset({"true", "yes", "on", "1", "y"})
FALSE_WORDS = frozenset({"false", "no", "off", "0", "n"})
COMPILED_CACHE_SIZE = 256


def _count_nodes(value: Any, limit: int) -> int:
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            return count
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def parse_json(text: str, limits: ParseLimits) -> Any:
    """The JSON document, or ``DocumentRefused`` (not JSON, too deep, too many nodes)."""
    try:
        parsed = json.loads(text)
    except RecursionError as exc:
        raise DocumentRefused(f"nested deeper than {limits.max_depth} levels") from exc
    except ValueError as exc:  # JSONDecodeError, and integers of more than 4300 digits
        raise DocumentRefused(f"not valid JSON: {exc}") from exc
    if depth_of(parsed, stop_after=limits.max_depth) > limits.max_depth:
        raise DocumentRefused(f"nested deeper than {limits.max_depth} levels")
    if _count_nodes(parsed, limits.max_nodes) > limits.max_nodes:
        raise DocumentRefused(f"more than {limits.max_nodes} values")
    return _finite(parsed)


def _finite(value: Any) -> Any:
    """NaN and infinities (which JSON has no words for) as their text."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


class ValueValidator:
    def __init__(self, engine: PatternEngine, yaml: YamlCodec, limits: ParseLimits) -> None:
        self._engine = engine
        self._yaml = yaml
        self._limits = limits
        self._compiled: OrderedDict[str, CompiledPattern] = OrderedDict()

    def compiled(self, pattern: str) -> CompiledPattern:
        found = self._compiled.get(pattern)
        if found is not None:
            self._compiled.move_to_end(pattern)
            return found
        compiled = self._engine.compile(pattern)
        self._compiled[pattern] = compiled
        if len(self._compiled) > COMPILED_CACHE_SIZE:
            self._compiled.popitem(last=False)
        return compiled

    def check_pattern(self, pattern: str) -> None:
        """422 ``invalid_pattern`` / ``unsupported_pattern`` for a pattern not to be kept."""
        if pattern_kind(pattern) is PatternKind.REGEX:
            self.compiled(pattern)

    def builtin(self, name: str, value: str) -> Verdict:
        if name == "string":
            return Verdict(valid=True, message="A string.", parsed=value)
        if name == "int":
            text = value.strip()
            if INT_RULE.fullmatch(text):
                number = int(text)
                if INT_MIN <= number <= INT_MAX:
                    return Verdict(valid=True, message="An integer.", parsed=number)
                return Verdict(valid=False, message="Out of the 64-bit integer range.")
            return Verdict(valid=False, message="Not a whole number.")
        if name == "bool":
            word = value.strip().lower()
            if word in TRUE_WORDS or word in FALSE_WORDS:
                return Verdict(valid=True, message="A boolean.", parsed=word in TRUE_WORDS)
            return Verdict(valid=False, message="Not a boolean (true/false, yes/no, on/off).")
        shape, python = ("list", list) if name == "list" else ("dict", dict)
        try:
            parsed = self._yaml.load(value, self._limits)
        except DocumentRefused as exc:
            return Verdict(valid=False, message=f"Not a {shape}: {exc}")
        if not isinstance(parsed, python):
            return Verdict(valid=False, message=f"Not a {shape}.")
        return Verdict(valid=True, message=f"A {shape}.", parsed=parsed)

    def custom(self, pattern: str, value: str) -> Verdict:
        kind = pattern_kind(pattern)
        if kind is PatternKind.FROM_JSON:
            try:
                return Verdict(
                    valid=True, message="Parsed as JSON.", parsed=parse_json(value, self._limits)
                )
            except DocumentRefused as exc:
                return Verdict(valid=False, message=f"Not JSON: {exc}")
        if kind is PatternKind.FROM_YAML:
            try:
                parsed = self._yaml.load(value, self._limits)
            except DocumentRefused as exc:
                return Verdict(valid=False, message=f"Not YAML: {exc}")
            return Verdict(valid=True, message="Parsed as YAML.", parsed=parsed)
        if self.compiled(pattern).full_match(value):
            return Verdict(valid=True, message="Matches the pattern.", parsed=value)
        return Verdict(valid=False, message="Does not match the pattern.")


def value_too_long(value: str) -> bool:
    return len(value) > MAX_VALUE_BYTES or len(value.encode("utf-8", "surrogatepass")) > (
        MAX_VALUE_BYTES
    )
