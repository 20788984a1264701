"""``PillowImageCodec``: the media library's ``ImageCodec`` on Pillow, plus lossless
metadata stripping written here.

* **Judging** (``sniff``/``probe``): the magic numbers name the format; Pillow then reads only
  the header (``Image.open`` is lazy) for the dimensions; the frames of an animation are
  counted by walking its blocks, stopping past ``MAX_FRAMES``. Pillow's own
  decompression-bomb guard fires at 2x its ``MAX_IMAGE_PIXELS``; it is reported as
  ``image_too_large`` too.
* **Sanitising** is lossless: the file's own structure is walked and rewritten without the
  segments that carry metadata, and everything after the image's end is dropped (a polyglot's
  second file goes with it). Pillow has no lossless way to do it (re-saving a JPEG re-encodes
  it), hence these walkers:

  - JPEG: APPn segments other than JFIF (APP0), ICC profiles (APP2 ``ICC_PROFILE``) and
    Adobe (APP14) are dropped, comments too; EXIF (APP1, which carries the GPS tags) is
    replaced by a minimal EXIF holding only the orientation when it was not 1, so the photo
    still shows the right way up; the scans are copied as they are up to EOI.
  - PNG: only the chunks that render the image are kept (``eXIf``, ``tEXt``, ``zTXt``,
    ``iTXt``, ``tIME`` and private chunks go); nothing after ``IEND``.
  - WebP: the ``EXIF`` and ``XMP `` chunks go (and their flags in ``VP8X``); nothing after the
    RIFF size.
  - GIF: comments and application extensions other than the animation loop go; nothing
    after the trailer.

  The result is opened again by Pillow and must show the same dimensions.
* **Thumbnails**: decoded at a reduced scale where the format allows (JPEG ``draft``),
  orientation applied, first frame, WebP of 256 px on the long side.

CPU work runs in a worker thread (``asyncio.to_thread``), never on the event loop.
"""

from __future__ import annotations

import asyncio
import io
import re
import struct
import warnings
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from application.media.ports import ImageCodec
from domain.media.images import (
    MAX_FRAMES,
    ImageFormat,
    ImageProbe,
    ImageTooLarge,
    InvalidImage,
    UnsupportedImageType,
)
from domain.shared.errors import FieldError

_PIL_NAMES = {
    ImageFormat.PNG: "PNG",
    ImageFormat.JPEG: "JPEG",
    ImageFormat.WEBP: "WEBP",
    ImageFormat.GIF: "GIF",
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ORIENTATION_TAG = 0x0112


def _invalid(detail: str) -> InvalidImage:
    return InvalidImage(
        f"The file is not a well-formed image: {detail}.",
        errors=[FieldError("file", detail)],
    )


def _unsupported() -> UnsupportedImageType:
    return UnsupportedImageType(
        "Only PNG, JPEG, WebP and GIF images are accepted (judged from the bytes).",
        errors=[FieldError("file", "not a PNG, JPEG, WebP or GIF image")],
        extra={"accepted": ["image/png", "image/jpeg", "image/webp", "image/gif"]},
    )


def sniff(head: bytes) -> ImageFormat | None:
    if head.startswith(PNG_SIGNATURE):
        return ImageFormat.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return ImageFormat.JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return ImageFormat.GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ImageFormat.WEBP
    return None


def _open(data: bytes, fmt: ImageFormat) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data), formats=[_PIL_NAMES[fmt]])


def _too_large(detail: str) -> ImageTooLarge:
    return ImageTooLarge(
        f"The image has too many pixels ({detail}).",
        errors=[FieldError("file", "too many pixels")],
    )


def _bomb(exc: Exception) -> ImageTooLarge:
    """Pillow refused the header itself (beyond 2x ``Image.MAX_IMAGE_PIXELS``)."""
    return _too_large(f"over {2 * (Image.MAX_IMAGE_PIXELS or 0)} pixels")


def probe(data: bytes, *, complete: bool) -> ImageProbe | None:
    fmt = sniff(data)
    if fmt is None:
        if not complete and len(data) < 12:
            return None
        raise _unsupported()
    try:
        with _open(data, fmt) as img:
            width, height = img.size
    except Image.DecompressionBombError as exc:
        raise _bomb(exc) from exc
    except (UnidentifiedImageError, SyntaxError, OSError, ValueError, EOFError,
            struct.error, IndexError, TypeError) as exc:  # fmt: skip
        if not complete:
            return None  # the header is not all in the first bytes
        raise _invalid(f"its {fmt.value.upper()} header cannot be read") from exc
    frames = count_frames(data, fmt) if complete else 1
    return ImageProbe(format=fmt, width=width, height=height, frames=frames)


def count_frames(data: bytes, fmt: ImageFormat, limit: int = MAX_FRAMES + 1) -> int:
    """Frames of a GIF (image descriptors), an APNG (``fcTL`` chunks) or an animated WebP
    (``ANMF`` chunks), counted by walking the blocks (Pillow's ``n_frames`` seeks through
    every frame: seconds for a file of many tiny ones); the walk stops at ``limit``. A
    broken structure counts what it saw (``sanitize`` refuses it)."""
    if fmt is ImageFormat.GIF:
        return _gif_frames(data, limit)
    if fmt is ImageFormat.PNG:  # APNG: one fcTL chunk per frame
        count, pos, n, animated = 0, len(PNG_SIGNATURE), len(data), False
        while pos + 12 <= n and count < limit:
            kind = data[pos + 4 : pos + 8]
            if kind == b"acTL":
                animated = True
            elif kind == b"fcTL":
                count += 1
            elif kind in (b"IDAT", b"IEND") and not animated:
                break  # no acTL before the image data: not an animation
            pos += 12 + struct.unpack(">I", data[pos : pos + 4])[0]
        return max(count, 1)
    if fmt is ImageFormat.WEBP:
        count, pos, end = 0, 12, min(len(data), 8 + struct.unpack("<I", data[4:8])[0])
        while pos + 8 <= end and count < limit:
            size = struct.unpack("<I", data[pos + 4 : pos + 8])[0]
            if data[pos : pos + 4] == b"ANMF":
                count += 1
            pos += 8 + size + (size & 1)
        return max(count, 1)
    return 1


def _gif_frames(data: bytes, limit: int) -> int:
    count, n = 0, len(data)
    pos = 13 + _color_table(data[10]) if n > 10 else n
    try:
        while pos < n and count < limit:
            kind = data[pos]
            if kind == 0x2C:
                count += 1
                pos = _sub_blocks_end(data, pos + 11 + _color_table(data[pos + 9]))
            elif kind == 0x21:
                pos = _sub_blocks_end(data, pos + 2)
            else:
                break
    except (InvalidImage, IndexError):
        pass
    return max(count, 1)


# -- JPEG ---------------------------------------------------------------------------------
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0-7


def _jpeg_orientation(data: bytes) -> int:
    try:
        with _open(data, ImageFormat.JPEG) as img:
            value = img.getexif().get(ORIENTATION_TAG, 1)
    except Exception:  # noqa: BLE001 - an unreadable EXIF means no orientation
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _keep_app(marker: int, payload: bytes) -> bool:
    if marker == 0xE0:
        return payload.startswith(b"JFIF\x00")
    if marker == 0xE2:
        return payload.startswith(b"ICC_PROFILE\x00")
    return marker == 0xEE  # Adobe (colour transform)


def strip_jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise _invalid("no JPEG start marker")
    out = bytearray(b"\xff\xd8")
    orientation = _jpeg_orientation(data)
    exif_segment = b""
    if orientation != 1:
        exif = Image.Exif()
        exif[ORIENTATION_TAG] = orientation
        body = exif.tobytes()
        exif_segment = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    exif_written = not exif_segment
    pos, n = 2, len(data)
    while True:
        if pos + 2 > n:
            raise _invalid("the JPEG ends before its image data")
        if data[pos] != 0xFF:
            raise _invalid("a JPEG segment does not start with a marker")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            out += data[pos : pos + 2]
            pos += 2
            continue
        if marker == 0xD9:
            raise _invalid("the JPEG ends before its image data")
        if pos + 4 > n:
            raise _invalid("a JPEG segment is cut short")
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        end = pos + 2 + length
        if length < 2 or end > n:
            raise _invalid("a JPEG segment is cut short")
        payload = data[pos + 4 : end]
        is_app = 0xE0 <= marker <= 0xEF or marker == 0xFE
        if not exif_written and marker != 0xE0:
            out += exif_segment  # after JFIF, before everything else
            exif_written = True
        if not is_app or _keep_app(marker, payload):
            out += data[pos:end]
        pos = end
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            pos = _scan_end(data, pos)
            out += data[end:pos]
            if data[pos + 1] == 0xD9:
                out += b"\xff\xd9"
                return bytes(out)


_MARKER = re.compile(rb"\xff+([^\x00\xd0-\xd7\xff])")
"""A marker inside entropy-coded data: 0xFF (fill bytes allowed) followed by anything but a
stuffed zero or a restart marker (searched in C: a scan full of stuffed bytes stays fast)."""


def _scan_end(data: bytes, pos: int) -> int:
    """The position of the marker ending the entropy-coded data that starts at ``pos``."""
    found = _MARKER.search(data, pos)
    if found is None:
        raise _invalid("the JPEG image data has no end marker")
    return found.start(1) - 1


# -- PNG ----------------------------------------------------------------------------------
_PNG_KEEP = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
    b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT", b"cICP", b"mDCV", b"cLLI", b"hIST", b"sPLT",
}  # fmt: skip


def strip_png(data: bytes) -> bytes:
    if not data.startswith(PNG_SIGNATURE):
        raise _invalid("no PNG signature")
    out = bytearray(PNG_SIGNATURE)
    pos, n = len(PNG_SIGNATURE), len(data)
    while True:
        if pos + 12 > n:
            raise _invalid("the PNG ends before its IEND chunk")
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > n:
            raise _invalid("a PNG chunk is cut short")
        if kind in _PNG_KEEP:
            out += data[pos:end]
        pos = end
        if kind == b"IEND":
            return bytes(out)


# -- WebP ---------------------------------------------------------------------------------
_WEBP_KEEP = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
_VP8X_EXIF, _VP8X_XMP = 0x08, 0x04


def strip_webp(data: bytes) -> bytes:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise _invalid("no RIFF/WEBP header")
    riff_end = 8 + struct.unpack("<I", data[4:8])[0]
    if riff_end > len(data):
        raise _invalid("the WebP is shorter than its RIFF size")
    body = bytearray()
    pos = 12
    while pos < riff_end:
        if pos + 8 > riff_end:
            raise _invalid("a WebP chunk is cut short")
        kind = data[pos : pos + 4]
        size = struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        end = pos + 8 + size + (size & 1)
        if pos + 8 + size > riff_end:
            raise _invalid("a WebP chunk is cut short")
        if kind in _WEBP_KEEP:
            chunk = bytearray(data[pos:end])
            if kind == b"VP8X" and size >= 1:
                chunk[8] &= ~(_VP8X_EXIF | _VP8X_XMP) & 0xFF
            body += chunk
        pos = end
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + bytes(body)


# -- GIF ----------------------------------------------------------------------------------
_GIF_KEEP_APPS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


def _sub_blocks_end(data: bytes, pos: int) -> int:
    n = len(data)
    while True:
        if pos >= n:
            raise _invalid("a GIF block is cut short")
        size = data[pos]
        pos += 1
        if size == 0:
            return pos
        pos += size


def _color_table(flags: int) -> int:
    return 3 * (2 ** ((flags & 0x07) + 1)) if flags & 0x80 else 0


def strip_gif(data: bytes) -> bytes:
    if len(data) < 13 or data[:6] not in (b"GIF87a", b"GIF89a"):
        raise _invalid("no GIF header")
    pos = 13 + _color_table(data[10])
    if pos > len(data):
        raise _invalid("the GIF colour table is cut short")
    out = bytearray(data[:pos])
    n = len(data)
    while True:
        if pos >= n:
            raise _invalid("the GIF has no trailer")
        kind = data[pos]
        if kind == 0x3B:
            out += b"\x3b"
            return bytes(out)
        if kind == 0x2C:
            if pos + 10 > n:
                raise _invalid("a GIF image descriptor is cut short")
            start = pos
            pos += 10 + _color_table(data[pos + 9])
            pos = _sub_blocks_end(data, pos + 1)  # LZW minimum code size, then the data
            out += data[start:pos]
            continue
        if kind == 0x21:
            if pos + 2 > n:
                raise _invalid("a GIF extension is cut short")
            start, label = pos, data[pos + 1]
            pos = _sub_blocks_end(data, pos + 2)
            keep = label in (0xF9, 0x01)
            if label == 0xFF:
                keep = data[start + 3 : start + 14] in _GIF_KEEP_APPS
            if keep:
                out += data[start:pos]
            continue
        raise _invalid("an unknown GIF block")


_STRIPPERS = {
    ImageFormat.JPEG: strip_jpeg,
    ImageFormat.PNG: strip_png,
    ImageFormat.WEBP: strip_webp,
    ImageFormat.GIF: strip_gif,
}


def sanitize(data: bytes, expected: ImageProbe) -> bytes:
    clean = _STRIPPERS[expected.format](data)
    again = probe(clean, complete=False)  # the header again (frames were counted before)
    if again is None or (again.width, again.height) != (expected.width, expected.height):
        raise _invalid("its structure does not match its header")
    return clean


def thumbnail(data: bytes, long_side: int, max_pixels: int) -> bytes:
    fmt = sniff(data)
    if fmt is None:
        raise _unsupported()
    try:
        with _open(data, fmt) as img:
            if img.width * img.height > max_pixels:
                raise _too_large(f"{img.width}x{img.height}")
            if fmt is ImageFormat.JPEG:
                img.draft("RGB", (long_side, long_side))
            img.seek(0)
            picture: Any = ImageOps.exif_transpose(img)
            picture.thumbnail((long_side, long_side))
            if picture.mode not in ("RGB", "RGBA"):
                has_alpha = "A" in picture.getbands() or "transparency" in picture.info
                picture = picture.convert("RGBA" if has_alpha else "RGB")
            out = io.BytesIO()
            picture.save(out, format="WEBP", quality=80, method=4)
            return out.getvalue()
    except (ImageTooLarge, InvalidImage):
        raise
    except Image.DecompressionBombError as exc:
        raise _bomb(exc) from exc
    except Exception as exc:
        raise _invalid("it cannot be decoded") from exc


class PillowImageCodec(ImageCodec):
    def sniff(self, head: bytes) -> ImageFormat | None:
        return sniff(head)

    def probe(self, data: bytes, *, complete: bool) -> ImageProbe | None:
        return probe(data, complete=complete)

    async def examine(self, data: bytes) -> ImageProbe:
        found = await asyncio.to_thread(probe, data, complete=True)
        assert found is not None  # a complete probe answers or raises
        return found

    async def sanitize(self, data: bytes, probe: ImageProbe) -> bytes:
        return await asyncio.to_thread(sanitize, data, probe)

    async def thumbnail(self, data: bytes, *, long_side: int, max_pixels: int) -> bytes:
        return await asyncio.to_thread(thumbnail, data, long_side, max_pixels)
