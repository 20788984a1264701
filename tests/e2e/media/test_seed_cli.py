"""``atelier seed --media FILE.yaml`` as an operator runs it: a real process on a fresh
embedded data folder; the sample file ships with the package; a second run creates nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from uuid import UUID

from application.media.commands import ListNamedQuery, ListThemesQuery
from domain.shared.access import Actor, Role
from entrypoints.bootstrap.container import running
from entrypoints.bootstrap.settings import load_settings
from entrypoints.cli.media import SAMPLE_FILE, read_media
from tests.e2e.test_cli import _env, _run

ADMIN = Actor(user_id=UUID(int=0), role=Role.ADMIN)


async def _counts(data_dir: Path) -> tuple[int, int, int, list[int]]:
    settings = load_settings({}, env_file=data_dir / "none.env", data_dir=str(data_dir))
    async with running(settings) as container:
        media = container.media
        categories = await media.list_categories()(ListNamedQuery(actor=ADMIN))
        colors = await media.list_colors()(ListNamedQuery(actor=ADMIN))
        themes = await media.list_themes()(ListThemesQuery(actor=ADMIN))
        return (categories.total, colors.total, themes.total,
                sorted(len(t.color_ids) for t in themes.items))  # fmt: skip


def test_the_sample_file_loads_once(tmp_path: Path) -> None:
    document = read_media(SAMPLE_FILE)
    data_dir = tmp_path / "var"
    first = _run(["seed", "--media", str(SAMPLE_FILE)], _env(data_dir), tmp_path)
    assert first.returncode == 0, first.stderr
    assert f"created: {len(document.categories)} categories" in first.stdout
    assert "media" in first.stderr  # the progress bar
    again = _run(["media", "seed"], _env(data_dir), tmp_path)  # the sample file by default
    assert again.returncode == 0, again.stderr
    assert "created: nothing" in again.stdout
    assert f"{len(document.themes)} themes" in again.stdout
    totals = asyncio.run(_counts(data_dir))
    assert totals[:3] == (len(document.categories), len(document.colors), len(document.themes))
    assert totals[3] == sorted(len(t.colors) for t in document.themes)


def test_a_bad_document_is_one_line_naming_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("colors:\n  - {name: Teal, hex: teal}\n", encoding="utf-8")
    result = _run(["seed", "--media", str(bad)], _env(tmp_path / "var"), tmp_path)
    assert result.returncode == 1
    assert "hex" in result.stderr
    assert "Traceback" not in result.stderr
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("themes:\n  - {name: T, colour: [x]}\n", encoding="utf-8")
    result = _run(["seed", "--media", str(unknown)], _env(tmp_path / "var"), tmp_path)
    assert result.returncode == 1
    assert "colour" in result.stderr
    assert "Traceback" not in result.stderr
    both = _run(["seed", "--demo", "--media", str(bad)], _env(tmp_path / "var"), tmp_path)
    assert both.returncode == 2
