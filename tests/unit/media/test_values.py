"""The media library's value rules: ``#RRGGBB`` colours, names, visibility."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.media.catalogue import Color, Theme
from domain.media.images import (
    Image,
    ImageFormat,
    ImageProbe,
    ImageTooLarge,
    InvalidImage,
    Visibility,
    check_dimensions,
    visibility_for,
)
from domain.media.values import clean_hex, clean_name, name_key
from domain.shared.access import Actor, Role
from domain.shared.errors import ValidationFailed

NOW = datetime(2026, 1, 1, tzinfo=UTC)
HEX = re.compile(r"#[0-9A-Fa-f]{6}")


@given(st.from_regex(r"\A#[0-9A-Fa-f]{6}\Z"))
def test_every_rrggbb_is_accepted_upper_case(value: str) -> None:
    assert clean_hex(value) == value.upper()


@given(st.text(max_size=12))
def test_anything_else_is_refused_naming_hex(value: str) -> None:
    if HEX.fullmatch(value):
        return
    with pytest.raises(ValidationFailed) as caught:
        clean_hex(value)
    assert caught.value.errors[0].field == "hex"


@given(st.text(min_size=1, max_size=100).filter(lambda s: s.strip() and "\x00" not in s))
def test_names_compare_without_case_and_blanks(name: str) -> None:
    cleaned = clean_name(name)
    assert name_key(cleaned) == name_key(f"  {name.upper()}  ") or name.upper().casefold() != (
        name.casefold()
    )


def test_blank_long_and_nul_names_are_refused() -> None:
    for bad in ("", "   ", "x" * 101, "a\x00b"):
        with pytest.raises(ValidationFailed):
            clean_name(bad)


def test_a_colour_reports_every_bad_field_at_once() -> None:
    with pytest.raises(ValidationFailed) as caught:
        Color.create(name=" ", hex="blue", now=NOW)
    assert {e.field for e in caught.value.errors} == {"name", "hex"}


def test_theme_colours_are_deduplicated_and_bounded() -> None:
    a, b = uuid4(), uuid4()
    theme = Theme.create(name="T", description=None, category_id=None, color_ids=[a, b, a],
                         cover_image_id=None, now=NOW)  # fmt: skip
    assert theme.color_ids == (a, b)
    with pytest.raises(ValidationFailed):
        theme.update({"color_ids": [uuid4() for _ in range(51)]}, NOW)
    assert theme.update({"name": "T"}, NOW) == {}
    assert theme.version == 1


@given(
    st.integers(min_value=-5, max_value=70_000),
    st.integers(min_value=-5, max_value=70_000),
    st.integers(min_value=1, max_value=500),
)
def test_the_pixel_limit_counts_every_frame(width: int, height: int, frames: int) -> None:
    probe = ImageProbe(format=ImageFormat.GIF, width=width, height=height, frames=frames)
    limit = 1_000_000
    if not (0 < width <= 65_535 and 0 < height <= 65_535):
        with pytest.raises(InvalidImage):
            check_dimensions(probe, limit)
    elif width * height * frames > limit:
        with pytest.raises(ImageTooLarge) as caught:
            check_dimensions(probe, limit)
        assert caught.value.code == "image_too_large"
    else:
        check_dimensions(probe, limit)


def test_who_reads_and_deletes_an_image() -> None:
    owner, stranger = uuid4(), uuid4()
    assert visibility_for(Role.CLIENT) is Visibility.PRIVATE
    assert visibility_for(Role.TECHNICIAN) is Visibility.PRIVATE
    assert visibility_for(Role.MANAGER) is Visibility.PUBLIC
    assert visibility_for(Role.ADMIN) is Visibility.PUBLIC
    private = Image(id=uuid4(), title=None, format=ImageFormat.PNG, width=1, height=1, size=1,
                    sha256="0" * 64, visibility=Visibility.PRIVATE, owner_id=owner,
                    storage_key="k", created_at=NOW, updated_at=NOW)  # fmt: skip
    assert private.readable_by(Actor(owner, Role.CLIENT))
    assert not private.readable_by(Actor(stranger, Role.CLIENT))
    assert not private.readable_by(Actor(stranger, Role.TECHNICIAN))
    assert private.readable_by(Actor(stranger, Role.MANAGER))
    assert private.deletable_by(Actor(owner, Role.TECHNICIAN))
    private.visibility = Visibility.PUBLIC
    assert private.readable_by(Actor(stranger, Role.CLIENT))
    assert not private.deletable_by(Actor(stranger, Role.CLIENT))
    assert private.deletable_by(Actor(stranger, Role.ADMIN))
