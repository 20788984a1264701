"""The validator (builtins, RE2 patterns, JSON and YAML filters) with Hypothesis: it always
answers (never raises) and agrees with the reference behaviour where there is one."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from application.automation.ports import DocumentRefused, ParseLimits
from application.automation.use_cases.create_variable_type import (
    CreateVariableTypeCommand,
    VariableTypeFields,
)
from application.automation.use_cases.validate_value import ValidateValueCommand
from application.automation.validation import parse_json
from domain.automation.variable_types import BUILTINS, EXAMPLES
from domain.shared.access import Role
from domain.shared.errors import DuplicateValue, ValidationFailed
from tests.unit.automation.conftest import Kit
from tests.unit.automation.strategies import json_values

KIT = Kit()
LIMITS = ParseLimits()
any_text = st.text(max_size=300)

# A small regular-expression grammar both engines read alike (ASCII, no backtracking-only
# features): differential testing of the RE2 adapter against Python's engine.
atoms = st.sampled_from(["a", "b", "c", ".", "[ab]", "[^a]", r"\d", "x"])


@st.composite
def patterns(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        if depth < 2 and draw(st.booleans()):
            inner = draw(patterns(depth + 1))
            alt = draw(patterns(depth + 1)) if draw(st.booleans()) else None
            atom = f"({inner}|{alt})" if alt else f"({inner})"
        else:
            atom = draw(atoms)
        parts.append(atom + draw(st.sampled_from(["", "*", "+", "?", "{1,2}"])))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(pattern=patterns(), value=st.text(alphabet="abcx1.", max_size=12))
def test_re2_full_match_agrees_with_python(pattern: str, value: str) -> None:
    expected = re.fullmatch(pattern, value) is not None
    assert KIT.validator.compiled(pattern).full_match(value) is expected


@settings(max_examples=200, deadline=None)
@given(literal=st.text(min_size=1, max_size=30), value=st.text(max_size=30))
def test_an_escaped_literal_matches_only_itself(literal: str, value: str) -> None:
    assume("\x00" not in literal)
    compiled = KIT.validator.compiled(re.escape(literal))
    assert compiled.full_match(literal)
    assert compiled.full_match(value) is (value == literal)


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from([b.name for b in BUILTINS]), value=any_text)
def test_builtins_always_answer(name: str, value: str) -> None:
    verdict = KIT.validator.builtin(name, value)
    assert verdict.message
    if not verdict.valid:
        assert verdict.parsed is None
    json.dumps(verdict.parsed)  # always a JSON value


@settings(max_examples=150, deadline=None)
@given(number=st.integers())
def test_int_builtin(number: int) -> None:
    verdict = KIT.validator.builtin("int", f" {number} ")
    in_range = -(2**63) <= number < 2**63
    assert verdict.valid is in_range
    assert verdict.parsed == (number if in_range else None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values)
def test_from_json_and_from_yaml_parse_back(value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assert KIT.validator.custom("| from_json", text).parsed == value
    assert KIT.validator.custom("|from_yaml", KIT.yaml.dump(value)).parsed == value
    verdict = KIT.validator.custom(" | from_yaml ", text)  # JSON is YAML too
    if verdict.valid:
        json.dumps(verdict.parsed)


@settings(max_examples=200, deadline=None)
@given(value=any_text, example=st.sampled_from(EXAMPLES))
def test_examples_always_answer(value: str, example: Any) -> None:
    verdict = KIT.validator.custom(example.pattern, value)
    assert isinstance(verdict.valid, bool)
    json.dumps(verdict.parsed)


def _laughs(levels: int) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(levels):
        me, prev = chr(98 + i), chr(97 + i)
        lines.append(f"{me}: &{me} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines)


@pytest.mark.parametrize("levels", [3, 8, 12])
def test_yaml_bombs_stop_at_the_node_limit(levels: int) -> None:
    started = time.perf_counter()
    verdict = KIT.validator.custom("| from_yaml", _laughs(levels))
    assert time.perf_counter() - started < 1.0
    expanded = sum(10 * 9**k for k in range(levels + 1))  # every level's lists and leaves
    if expanded > LIMITS.max_nodes:
        assert verdict.valid is False
        assert "aliases" in verdict.message
    else:
        assert verdict.valid is True


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        "a:\n" + "".join(" " * i + "- \n" for i in range(1, 200)),
        "!!python/object/apply:os.system ['echo']",
        "!!binary aGVsbG8=",
        "? [a, b]\n: c",
        "x: !!set {a, b}",
    ],
)
def test_hostile_yaml_is_refused_or_plain(text: str) -> None:
    verdict = KIT.validator.custom("| from_yaml", text)
    json.dumps(verdict.parsed)


def test_json_limits() -> None:
    with pytest.raises(DocumentRefused):
        parse_json("[" * 100 + "]" * 100, LIMITS)
    with pytest.raises(DocumentRefused):
        parse_json("1" * 5000, LIMITS)
    assert parse_json("NaN", LIMITS) == "nan"


HOSTILE_VALUES = {
    "a...a!": "a" * (64 * 1024 - 1) + "!",
    "a...a": "a" * (64 * 1024),
    "abab...a": ("ab" * 40_000)[: 64 * 1024 - 1],
    "a a a...": "a " * (32 * 1024),
}


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a+)+$",
        r"(a|aa)+$",
        r"(.*a){20}",
        r"(a|a?)+b",
        r"^(\w+\s?)*$",
        r"(x+x+)+y",
        r"(.*a){200}",
        r"(.*[ab]){40}c",
        r"(a|b|.)*(a.{40})$",
        r".{0,400}a.{0,400}b",
    ],
)
def test_worst_backtracking_patterns_are_linear(pattern: str) -> None:
    compiled = KIT.validator.compiled(pattern)
    for name, value in HOSTILE_VALUES.items():
        started = time.perf_counter()
        compiled.full_match(value)
        assert time.perf_counter() - started < 0.5, name


def test_programs_too_large_are_unsupported() -> None:
    with pytest.raises(ValidationFailed) as refused:
        KIT.validator.compiled(r".{0,1000}a.{0,1000}b")
    assert refused.value.code == "unsupported_pattern"
    assert "instructions" in refused.value.errors[0].message


async def test_create_refuses_builtin_names_and_bad_patterns(kit: Kit) -> None:
    admin = kit.actor(Role.ADMIN)

    async def create(**fields: Any) -> Any:
        body = {"name": "ticket", "label": "Ticket", "pattern": "[A-Z]+", **fields}
        return await kit.create_type()(
            CreateVariableTypeCommand(actor=admin, fields=VariableTypeFields(**body))
        )

    with pytest.raises(DuplicateValue) as reserved:
        await create(name="dict")
    assert reserved.value.code == "variable_type_taken"
    for pattern, code in ((r"(a)\1", "unsupported_pattern"), ("(", "invalid_pattern")):
        with pytest.raises(ValidationFailed) as refused:
            await create(pattern=pattern)
        assert refused.value.code == code
    await create()
    with pytest.raises(DuplicateValue):
        await create()
    verdict = await kit.validate()(
        ValidateValueCommand(actor=kit.actor(), type="ticket", value="OPS")
    )
    assert verdict.valid is True
    assert await kit.install_examples()() == [e.name for e in EXAMPLES]
    assert await kit.install_examples()() == []  # idempotent
