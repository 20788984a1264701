"""Packaging: every Python folder is a package, and the build discovers every one of them."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[2]
TOP = ("domain", "application", "adapters", "entrypoints", "migrations")


def test_the_build_discovers_every_package() -> None:
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in TOP
        for init in (ROOT / top).rglob("__init__.py")
    }
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    discovered = set(find_packages(str(ROOT), include=include))
    assert found - discovered == set(), "these packages would be left out of the build"
    assert {name.split(".")[0] for name in discovered} == set(TOP)


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
