"""The PatternEngine on RE2 (the ``google-re2`` package): linear-time matching, whatever the
pattern and the value.

RE2 refuses what it cannot run in linear time (back-references, look-around, possessive
quantifiers, huge repetition counts, programs over ``max_mem``); this adapter also refuses
programs over ``MAX_PROGRAM_SIZE`` instructions (linear, but with too large a constant).
Groups never capture (a full match needs none), so a match is the DFA's work alone.

To tell a pattern RE2 cannot run (422 ``unsupported_pattern``) from one that is no regular
expression at all (422 ``invalid_pattern``), a pattern RE2 refuses is compiled (never run)
by Python's ``re``: if that works it is a backtracking-only pattern.
"""

from __future__ import annotations

import re

import re2

from application.automation.ports import CompiledPattern, PatternEngine
from domain.automation.variable_types import invalid_pattern, unsupported_pattern

MAX_PROGRAM_BYTES = 8 << 20
MAX_PROGRAM_SIZE = 8_000
"""RE2 instructions a pattern may compile to. Matching is linear in the value, but its
constant grows with the program (and the DFA's cache may not hold a huge one, leaving RE2
to its slower NFA): ``.{0,1000}a.{0,1000}b`` (18,006 instructions) costs ~45 ms on 64 KiB,
``.{0,300}a.{0,300}b`` (5,406) well under 1 ms. Real patterns are far smaller (the
examples: 24 to 65)."""


def _options() -> re2.Options:
    options = re2.Options()
    options.max_mem = MAX_PROGRAM_BYTES
    options.log_errors = False
    # a full match needs no groups: without them RE2 answers from its DFA alone, where
    # extracting captures would run its NFA over the whole value (``(.*a){20}`` on
    # "abab...": 70 ms with captures, under 1 ms without)
    options.never_capture = True
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
        # bytes: no byte-to-character offset conversion of the (64 KiB) match span
        data = value.encode("utf-8", "surrogatepass")
        return self._compiled.fullmatch(data) is not None


class Re2PatternEngine(PatternEngine):
    def __init__(self) -> None:
        self._options = _options()

    def compile(self, pattern: str) -> CompiledPattern:
        try:
            compiled = re2.compile(pattern, self._options)
        except re2.error as exc:
            reason = _reason(exc)
        else:
            if compiled.programsize > MAX_PROGRAM_SIZE:
                raise unsupported_pattern(
                    f"it compiles to {compiled.programsize} instructions; at most "
                    f"{MAX_PROGRAM_SIZE} are run"
                )
            return Re2Pattern(compiled)
        try:
            re.compile(pattern)
        except (re.error, OverflowError, RecursionError, ValueError) as exc:
            raise invalid_pattern(str(exc)[:200] or reason) from None
        raise unsupported_pattern(reason)
