"""``atelier seed --media FILE.yaml`` (and ``atelier media seed FILE.yaml``): categories,
colours and themes from a YAML document, through the media use cases (every rule applies:
unique names, ``#RRGGBB``, existing references), with a progress bar.

Idempotent: an item whose name exists (case and blanks ignored) is skipped, so a second run
creates nothing. Themes name their category and colours by name (from the file or already in
the database). A sample document ships with the package: ``entrypoints/cli/data/media.yaml``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import click
import msgspec
import yaml
from tqdm import tqdm

from application.media.commands import (
    CreateCategoryCommand,
    CreateColorCommand,
    CreateThemeCommand,
    ListNamedQuery,
)
from application.media.ports import NameFilters
from domain.media.values import name_key
from domain.shared.access import Actor, Role
from domain.shared.errors import DomainError, DuplicateValue

SAMPLE_FILE = Path(__file__).parent / "data" / "media.yaml"
SYSTEM = Actor(user_id=UUID(int=0), role=Role.ADMIN)
MAX_FILE_BYTES = 5 * 1024 * 1024


class CategorySpec(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    description: str | None = None


class ColorSpec(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    hex: str


class ThemeSpec(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    description: str | None = None
    category: str | None = None
    colors: list[str] = []


class MediaDocument(msgspec.Struct, forbid_unknown_fields=True):
    categories: list[CategorySpec] = []
    colors: list[ColorSpec] = []
    themes: list[ThemeSpec] = []

    @property
    def size(self) -> int:
        return len(self.categories) + len(self.colors) + len(self.themes)


@dataclass
class MediaSeedResult:
    created: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.skipped
        target[kind] = target.get(kind, 0) + 1


def read_media(path: Path) -> MediaDocument:
    """The document, checked (unknown keys and wrong types are refused with their path)."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise click.ClickException(f"{path} is larger than {MAX_FILE_BYTES} bytes")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return msgspec.convert(raw, MediaDocument)
    except (yaml.YAMLError, msgspec.ValidationError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: {exc}") from exc


async def _find(use_case: Any, name: str) -> UUID | None:
    page = await use_case(ListNamedQuery(actor=SYSTEM, filters=NameFilters(q=name), limit=200))
    for item in page.items:
        if name_key(item.name) == name_key(name):
            return UUID(str(item.id))
    return None


async def load_media(
    container: Any, document: MediaDocument, *, quiet: bool = False
) -> MediaSeedResult:
    """Create what the document names and is missing (through the use cases)."""
    media = container.media
    result = MediaSeedResult()
    categories: dict[str, UUID] = {}
    colors: dict[str, UUID] = {}
    with tqdm(total=document.size, desc="media", unit="item", disable=quiet) as bar:
        for c in document.categories:
            try:
                made = await media.create_category()(
                    CreateCategoryCommand(actor=SYSTEM, name=c.name, description=c.description)
                )
                categories[name_key(c.name)] = made.id
                result.count("categories", True)
            except DuplicateValue:
                result.count("categories", False)
            bar.update()
        for k in document.colors:
            try:
                made = await media.create_color()(
                    CreateColorCommand(actor=SYSTEM, name=k.name, hex=k.hex)
                )
                colors[name_key(k.name)] = made.id
                result.count("colors", True)
            except DuplicateValue:
                result.count("colors", False)
            bar.update()
        for t in document.themes:
            category_id = None
            if t.category is not None:
                category_id = categories.get(name_key(t.category)) or await _find(
                    media.list_categories(), t.category
                )
                if category_id is None:
                    raise click.ClickException(f"theme {t.name!r}: no category {t.category!r}")
            color_ids = []
            for color in t.colors:
                found = colors.get(name_key(color)) or await _find(media.list_colors(), color)
                if found is None:
                    raise click.ClickException(f"theme {t.name!r}: no colour {color!r}")
                color_ids.append(found)
            try:
                await media.create_theme()(
                    CreateThemeCommand(
                        actor=SYSTEM,
                        name=t.name,
                        description=t.description,
                        category_id=category_id,
                        color_ids=color_ids,
                    )
                )
                result.count("themes", True)
            except DuplicateValue:
                result.count("themes", False)
            bar.update()
    return result


async def seed_media(settings: Any, path: Path, *, quiet: bool = False) -> MediaSeedResult:
    from entrypoints.bootstrap.container import build_container, shutdown, start

    document = read_media(path)
    container = build_container(settings)
    await start(container)
    try:
        return await load_media(container, document, quiet=quiet)
    finally:
        await shutdown(container)


def run_media_seed(settings: Any, path: Path) -> None:
    """Load ``path`` and print what was created and skipped (errors as one line, exit 1)."""
    from entrypoints.cli.seed import counts_line

    try:
        result = asyncio.run(seed_media(settings, path))
    except DomainError as exc:
        fields = ", ".join(f"{e.field}: {e.message}" for e in exc.errors)
        raise click.ClickException(
            f"media data refused: {exc.detail}" + (f" ({fields})" if fields else "")
        ) from exc
    click.echo(f"created: {counts_line(result.created)}")
    click.echo(f"already present (skipped): {counts_line(result.skipped)}")


def register(cli: click.Group) -> None:
    @cli.group("media")
    def media() -> None:
        """The media library (categories, colours, themes, images)."""

    @media.command("seed")
    @click.argument("data_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                    required=False)  # fmt: skip
    def seed(data_file: Path | None) -> None:
        """Load categories, colours and themes from YAML (default: the sample file);
        the same as ``atelier seed --media FILE``."""
        from entrypoints.cli.seed import prepared_settings

        run_media_seed(prepared_settings(), data_file or SAMPLE_FILE)
