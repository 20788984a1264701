"""Shared schema helpers: pagination, sorting and If-Match."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from domain.shared.errors import BadRequest, ValidationFailed
from entrypoints.http.schemas import etag_for, parse_if_match, parse_sort
from tests.e2e.test_bad_input import assert_problem


@given(st.integers(min_value=0, max_value=2**31 - 1))
def test_if_match_round_trips_the_etag(version: int) -> None:
    assert parse_if_match(etag_for(version)) == version


def test_if_match_absent_or_star_means_no_precondition() -> None:
    assert parse_if_match(None) is None
    assert parse_if_match("*") is None


@pytest.mark.parametrize("header", ['W/"3"', "3", '"3", "4"', '"abc"', '""', '"-1"', '"3'])
def test_malformed_if_match_is_a_bad_request(header: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_if_match(header)
    assert caught.value.code == "malformed_if_match"


def test_sort_accepts_allowed_fields_with_optional_minus() -> None:
    assert str(parse_sort("-name", {"name"}, "name")) == "-name"
    assert parse_sort(None, {"name", "created_at"}, "-created_at").descending
    with pytest.raises(ValidationFailed) as caught:
        parse_sort("password_hash", {"name"}, "name")
    assert caught.value.errors[0].field == "sort"


async def test_page_defaults_and_cap(client: AsyncTestClient[Any]) -> None:
    body = (await client.get("/api/v1/_page")).json()
    assert (body["limit"], body["offset"], body["total"]) == (50, 0, 2)
    assert (await client.get("/api/v1/_page?limit=5000")).json()["limit"] == 200


@pytest.mark.parametrize(
    "query",
    ["limit=-1", "limit=abc", "offset=-5", "offset=1.5", "limit=" + "9" * 5000, "sort=secret"],
)
async def test_bad_page_or_sort_is_422(client: AsyncTestClient[Any], query: str) -> None:
    assert_problem(await client.get(f"/api/v1/_page?{query}"), 422, "validation_failed")


async def test_if_match_header_dependency(client: AsyncTestClient[Any]) -> None:
    ok = await client.get("/api/v1/_page", headers={"If-Match": '"7"'})
    assert ok.json()["items"][1] == "v=7"
    assert_problem(
        await client.get("/api/v1/_page", headers={"If-Match": "7"}), 400, "malformed_if_match"
    )
