"""The Pillow codec: formats judged from the bytes, headers read without decoding, lossless
metadata stripping per format, and nothing but the documented errors for any input."""

from __future__ import annotations

import io
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from adapters.images.pillow import probe, sanitize, sniff, thumbnail
from domain.media.images import ImageFormat, ImageTooLarge, InvalidImage, UnsupportedImageType
from tests.e2e.media.images import (
    GPS_IFD,
    gif,
    gif_bomb,
    jpeg_bomb,
    jpeg_with_gps,
    png,
    png_bomb,
    webp,
)

DOCUMENTED = (InvalidImage, UnsupportedImageType, ImageTooLarge)


def exif_blob() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 30.0)}
    return exif.tobytes()


def test_formats_are_judged_from_the_bytes() -> None:
    assert sniff(png()) is ImageFormat.PNG
    assert sniff(jpeg_with_gps()) is ImageFormat.JPEG
    assert sniff(webp()) is ImageFormat.WEBP
    assert sniff(gif()) is ImageFormat.GIF
    for other in (b"%PDF-1.4", b"<svg/>", b"BM" + b"\x00" * 50, b"II*\x00" + b"\x00" * 20):
        assert sniff(other) is None
        with pytest.raises(UnsupportedImageType):
            probe(other, complete=True)


def test_bombs_are_known_from_the_header_alone() -> None:
    for bomb in (png_bomb(), jpeg_bomb(), gif_bomb()):
        started = time.perf_counter()
        try:  # our limit judges the dimensions; past 2x its own limit Pillow refuses first
            found = probe(bomb[:8192], complete=False)
            assert found is not None
            assert found.pixels > 1_000_000_000
        except ImageTooLarge:
            pass
        assert time.perf_counter() - started < 0.5


def test_a_partial_header_is_not_an_error() -> None:
    assert probe(b"\x89PN", complete=False) is None
    assert probe(jpeg_with_gps()[:20], complete=False) is None
    with pytest.raises(InvalidImage):
        probe(jpeg_with_gps()[:20], complete=True)


def test_jpeg_keeps_only_its_orientation() -> None:
    data = jpeg_with_gps(orientation=8) + b"<?php echo 1; ?>"
    clean = sanitize(data, probe(data, complete=True))  # type: ignore[arg-type]
    assert b"SecretCam" not in clean
    assert b"php" not in clean
    with Image.open(io.BytesIO(clean)) as picture:
        assert dict(picture.getexif()) == {0x0112: 8}
        picture.load()
    upright = jpeg_with_gps(orientation=1)
    clean = sanitize(upright, probe(upright, complete=True))  # type: ignore[arg-type]
    with Image.open(io.BytesIO(clean)) as picture:
        assert dict(picture.getexif()) == {}


def test_png_webp_and_gif_lose_their_metadata() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 48.85 2.29")
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", pnginfo=info, exif=exif_blob())
    out_webp = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out_webp, "WEBP", exif=exif_blob(), xmp=b"<x:xmpmeta GPS/>")
    out_gif = io.BytesIO()
    Image.new("P", (8, 8)).save(out_gif, "GIF", comment=b"GPS 48.85 2.29")
    for data in (out.getvalue(), out_webp.getvalue(), out_gif.getvalue()):
        assert b"GPS" in data or b"SecretCam" in data
        clean = sanitize(data + b"trailing", probe(data, complete=True))  # type: ignore[arg-type]
        assert b"GPS" not in clean
        assert b"SecretCam" not in clean
        assert b"trailing" not in clean
        with Image.open(io.BytesIO(clean)) as picture:
            assert picture.size == (8, 8)
            picture.load()


def test_an_animated_gif_counts_its_frames() -> None:
    frames = [Image.new("RGB", (30, 20), (i * 40, 0, 0)) for i in range(5)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], loop=0, duration=50)
    found = probe(out.getvalue(), complete=True)
    assert found is not None
    assert found.frames == 5
    clean = sanitize(out.getvalue(), found)
    with Image.open(io.BytesIO(clean)) as picture:
        assert getattr(picture, "n_frames", 1) == 5


def test_thumbnails_are_webp_within_256_px() -> None:
    for data, size in ((jpeg_with_gps((1000, 500), orientation=1), (256, 128)),
                       (png((100, 300)), (85, 256)), (webp((20, 10)), (20, 10))):  # fmt: skip
        with Image.open(io.BytesIO(thumbnail(data, 256, 10**8))) as picture:
            assert picture.format == "WEBP"
            assert picture.size == size
    with pytest.raises(ImageTooLarge):
        thumbnail(png((100, 100)), 256, 5_000)
    with pytest.raises(InvalidImage):
        thumbnail(png()[:60], 256, 10**8)


SEEDS = [png(), jpeg_with_gps(), webp(), gif()]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.integers(min_value=0, max_value=4000), st.integers(0, 255)),
             max_size=8),
    st.integers(min_value=0, max_value=5000),
)  # fmt: skip
def test_any_corruption_gets_a_documented_answer(
    seed: bytes, flips: list[tuple[int, int]], cut: int
) -> None:
    """Flipped bytes and truncations: the image is accepted (and still opens) or refused with
    one of the documented errors, never anything else."""
    data = bytearray(seed[: max(cut, 12)])
    for position, value in flips:
        if position < len(data):
            data[position] = value
    try:
        found = probe(bytes(data), complete=True)
        assert found is not None
        clean = sanitize(bytes(data), found)
    except DOCUMENTED:
        return
    with Image.open(io.BytesIO(clean)) as picture:
        assert picture.size == (found.width, found.height)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_are_refused_with_a_documented_error(data: bytes) -> None:
    for prefix in (
        b"",
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff",
        b"GIF89a",
        b"RIFF\x00\x00\x00\x00WEBP",
    ):
        try:
            found = probe(prefix + data, complete=True)
            assert found is not None
            sanitize(prefix + data, found)
        except DOCUMENTED:
            pass


@pytest.mark.parametrize(
    "options",
    [{}, {"progressive": True}, {"restart_marker_rows": 1}, {"progressive": True,
     "restart_marker_blocks": 3}, {"subsampling": 0, "quality": 95}],
)  # fmt: skip
def test_jpeg_stripping_is_lossless(options: dict[str, object]) -> None:
    picture = Image.effect_noise((97, 61), 60).convert("RGB")
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif_blob(), comment=b"GPS here", **options)
    data = out.getvalue()
    clean = sanitize(data, probe(data, complete=True))  # type: ignore[arg-type]
    assert b"GPS" not in clean
    assert b"SecretCam" not in clean
    with Image.open(io.BytesIO(data)) as before, Image.open(io.BytesIO(clean)) as after:
        assert before.tobytes() == after.tobytes()  # the same pixels: nothing re-encoded


def test_a_scan_full_of_stuffed_bytes_is_walked_fast() -> None:
    data = jpeg_with_gps(orientation=1)
    sos = data.index(b"\xff\xda")
    body = sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")
    flood = data[:body] + b"\xff\x00" * 2_000_000 + data[body:]
    started = time.perf_counter()
    found = probe(flood, complete=True)
    assert found is not None
    sanitize(flood, found)
    assert time.perf_counter() - started < 2.0


def test_animated_png_and_webp_count_their_frames() -> None:
    frames = [Image.new("RGB", (12, 8), (i * 30, 0, 0)) for i in range(7)]
    for fmt in ("PNG", "WEBP"):
        out = io.BytesIO()
        frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=40)
        found = probe(out.getvalue(), complete=True)
        assert found is not None
        assert found.frames == 7, fmt
        clean = sanitize(out.getvalue(), found)
        with Image.open(io.BytesIO(clean)) as picture:
            assert getattr(picture, "n_frames", 1) == 7
    assert probe(png(), complete=True).frames == 1  # type: ignore[union-attr]
