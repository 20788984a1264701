"""The build lists its packages explicitly: every package in the tree must be listed."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOP = ("domain", "application", "adapters", "entrypoints", "migrations")


def test_every_package_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in TOP
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages"
    assert listed - found == set(), "these listed packages do not exist"


def test_every_python_folder_is_a_package() -> None:
    loose = {
        str(folder.relative_to(ROOT))
        for top in TOP
        for folder in [ROOT / top, *(p for p in (ROOT / top).rglob("*") if p.is_dir())]
        if folder.name not in {"__pycache__", "static", "vendor", "data"}
        and any(folder.glob("*.py"))
        and not (folder / "__init__.py").exists()
    }
    assert loose == set()
