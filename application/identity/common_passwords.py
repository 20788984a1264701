"""The bundled list of common passwords (``data/common_passwords.txt``)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def load_common_passwords() -> frozenset[str]:
    text = resources.files("application.identity").joinpath("data/common_passwords.txt")
    lines = text.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip())
