"""The PatternEngine on RE2 (the ``google-re2`` package): linear-time matching, whatever the
pattern and the value.

RE2 refuses what it cannot run in linear time (back-references, look-around, possessive
quantifiers, huge repetition counts, programs over ``max_mem``). To tell such a pattern
(422 ``unsupported_pattern``) from one that is no regular expression at all (422
``invalid_pattern``), a pattern RE2 refuses is compiled (never run) by Python's ``re``: if
that works it is a backtracking-only pattern.
"""

from __future__ import annotations

import re

import re2

from application.automation.ports import CompiledPattern, PatternEngine
from domain.automation.variable_types import invalid_pattern, unsupported_pattern

MAX_PROGRAM_BYTES = 8 << 20


def _options() -> re2.Options:
    options = re2.Options()
    options.max_mem = MAX_PROGRAM_BYTES
    options.log_errors = False
    return options


def _reason(exc: Exception) -> str:
    message = exc.args[0] if exc.args else str(exc)
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return str(message)[:200]


class Re2Pattern(CompiledPattern):
    def __init__(self, compiled: re2._Regexp) -> None:
        self._compiled = compiled

    def full_match(self, value: str) -> bool:
        return self._compiled.fullmatch(value) is not None


class Re2PatternEngine(PatternEngine):
    def __init__(self) -> None:
        self._options = _options()

    def compile(self, pattern: str) -> CompiledPattern:
        try:
            return Re2Pattern(re2.compile(pattern, self._options))
        except re2.error as exc:
            reason = _reason(exc)
        try:
            re.compile(pattern)
        except (re.error, OverflowError, RecursionError, ValueError) as exc:
            raise invalid_pattern(str(exc)[:200] or reason) from None
        raise unsupported_pattern(reason)
