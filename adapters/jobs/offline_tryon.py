"""The offline try-on provider: a real picture made with Pillow, no model, no network.

The garment is cut out of its background (pixels close to the colour of its corners become
transparent, unless it already has transparency), scaled to about half the person's width,
and composited on the upper body (centred, a fifth of the way down), with a soft shadow.
Deterministic: the same two images always give the same PNG bytes. Progress is reported by
stage (``decoding``, ``segmenting``, ``fitting``, ``compositing``, ``encoding``);
``stage_seconds`` paces the stages for demos (0 in tests).
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

from PIL import Image, ImageChops, ImageFilter, UnidentifiedImageError

from application.jobs.ports import ProviderFailed, StageProgress, TryOnProvider

MAX_SIDE = 2048
_STAGES = (("decoding", 15), ("segmenting", 35), ("fitting", 55), ("compositing", 75))


def _open(content: bytes, what: str) -> Image.Image:
    try:
        opened = Image.open(io.BytesIO(content))
        opened.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ProviderFailed(f"the {what} image could not be decoded") from exc
    image = opened.convert("RGBA")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    return image


def _cut_out(garment: Image.Image) -> Image.Image:
    low, _high = garment.getchannel("A").getextrema()
    if isinstance(low, (int, float)) and low < 250:  # already has transparency
        return garment
    rgb = garment.convert("RGB")
    w, h = rgb.size
    corners: list[Any] = [rgb.getpixel(p) for p in ((0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1))]
    background = (
        sum(int(c[0]) for c in corners) // 4,
        sum(int(c[1]) for c in corners) // 4,
        sum(int(c[2]) for c in corners) // 4,
    )
    plain = Image.new("RGB", rgb.size, background)
    distance = ImageChops.difference(rgb, plain).convert("L")
    mask = distance.point(lambda v: 255 if v > 40 else 0).filter(ImageFilter.GaussianBlur(1))
    garment = garment.copy()
    garment.putalpha(mask)
    return garment


def composite(person_bytes: bytes, garment_bytes: bytes) -> bytes:
    person = _open(person_bytes, "person")
    garment = _cut_out(_open(garment_bytes, "garment"))
    width = max(1, int(person.width * 0.5))
    height = max(1, int(garment.height * width / max(1, garment.width)))
    height = min(height, max(1, int(person.height * 0.6)))
    fitted = garment.resize((width, height), Image.Resampling.LANCZOS)
    x = (person.width - width) // 2
    y = int(person.height * 0.2)
    shadow = Image.new("RGBA", fitted.size, (0, 0, 0, 0))
    shadow.putalpha(fitted.getchannel("A").point(lambda v: v // 3))
    shadow = shadow.filter(ImageFilter.GaussianBlur(4))
    canvas = person.copy()
    canvas.alpha_composite(shadow, (x + 3, y + 4))
    canvas.alpha_composite(fitted, (x, y))
    out = io.BytesIO()
    canvas.convert("RGB").save(out, format="PNG", optimize=False)
    return out.getvalue()


class OfflineTryOnProvider(TryOnProvider):
    def __init__(self, *, stage_seconds: float = 0.3) -> None:
        self._pause = max(0.0, stage_seconds)

    async def render(self, person: bytes, garment: bytes, progress: StageProgress) -> bytes:
        for stage, percent in _STAGES:
            await progress(percent, stage)
            if self._pause:
                await asyncio.sleep(self._pause)
        picture = await asyncio.to_thread(composite, person, garment)
        await progress(90, "encoding")
        return picture
