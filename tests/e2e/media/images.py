"""Images made in memory for the media tests (Pillow), hostile ones included."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825


def jpeg_with_gps(size: tuple[int, int] = (64, 48), orientation: int = 6) -> bytes:
    """A photo whose EXIF names a camera, a place (GPS) and an orientation."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SecretCam"
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 30.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    out = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(size: tuple[int, int] = (32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 255, 200)).save(out, "PNG")
    return out.getvalue()


def webp(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(out, "WEBP")
    return out.getvalue()


def gif(size: tuple[int, int] = (20, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("P", size, 3).save(out, "GIF")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG header claiming ``width`` x ``height`` pixels with a tiny compressed body: a
    decompression bomb (decoding it would need gigabytes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * 1024
    body = zlib.compress(row * 64, 9)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body)
            + _chunk(b"IEND", b""))  # fmt: skip


def jpeg_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A small JPEG whose frame header is rewritten to claim a huge canvas."""
    data = bytearray(jpeg_with_gps((16, 16), orientation=1))
    sof = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def gif_bomb(width: int = 65_535, height: int = 65_535) -> bytes:
    data = bytearray(gif((4, 4)))
    struct.pack_into("<HH", data, 6, width, height)
    return bytes(data)


def gif_of_many_frames(frames: int = 200_000) -> bytes:
    """A GIF of ``frames`` 1x1 frames: few pixels, but each frame costs time to walk."""
    one = gif((1, 1))
    start = one.index(b"\x2c")
    frame = b"\x21\xf9\x04\x00\x00\x00\x00\x00" + one[start:-1]
    return one[:start] + frame * frames + b"\x3b"


def png_undecodable(size: tuple[int, int] = (32, 24)) -> bytes:
    """A PNG whose structure and header are sound but whose pixel data is garbage: it passes
    the upload's checks (which decode nothing) and fails to decode."""
    data = bytearray(png(size))
    start = data.index(b"IDAT") + 4
    length = struct.unpack(">I", data[start - 8 : start - 4])[0]
    data[start : start + length] = b"\x13" * length
    return bytes(data)
