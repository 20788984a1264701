"""The README is the user's manual: it must document every setting and keep its commands."""

from __future__ import annotations

import re
from pathlib import Path

from entrypoints.bootstrap.registry import INSTALLED
from entrypoints.bootstrap.settings import RESERVED, settings_fields

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_table() -> None:
    documented = set(re.findall(r"^\| `(ATELIER_[A-Z0-9_]+)` \|", README, flags=re.MULTILINE))
    reserved = [f"ATELIER_{name.upper()}" for name in RESERVED]
    assert set(settings_fields()) - documented == set()
    assert set(reserved) - documented == set()
    assert documented - set(settings_fields()) - set(reserved) == set()


def test_the_test_command_is_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in ci.splitlines() if line.startswith("python3 -m venv"))
    assert command in README


def test_the_architecture_map_names_existing_folders() -> None:
    block = README.split("## Architecture", 1)[1].split("```", 2)[1]
    for line in block.splitlines():
        folder = line.split()[0] if line.strip() and not line.startswith(" ") else ""
        if folder.endswith("/") and "|" not in folder:
            # ``domain/<module>/`` stands for each installed module's folder
            for name in INSTALLED if "<module>" in folder else ("",):
                path = folder.replace("<module>", name)
                assert (ROOT / path).is_dir(), path
