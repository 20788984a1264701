"""``atelier documents rotate-keys`` and ``atelier documents new-key``.

``rotate-keys`` re-encrypts every encrypted document that is not under the newest key of
``ATELIER_DOCUMENT_KEYS`` (the first entry), one document at a time with a progress bar.
It can be stopped at any moment (Ctrl-C, a crash) and run again: documents already under
the newest key are skipped, and a document half-way keeps its old, readable object (the new
one, if written, is removed then or by the sweeper). Documents whose bytes do not decrypt or
do not match their SHA-256 are left as they are and listed at the end (exit 1).
Keep the old keys in the ring until the command reports nothing left.
"""

from __future__ import annotations

import asyncio

import click

from domain.shared.errors import DomainError
from entrypoints.bootstrap.container import module_container, running
from entrypoints.bootstrap.settings import Settings, SettingsError, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def documents() -> None:
    """Documents: encryption keys."""


@documents.command("new-key")
@click.option("--id", "key_id", default="k1", show_default=True, help="The new key's id.")
def new_key(key_id: str) -> None:
    """Print a new random key entry for ATELIER_DOCUMENT_KEYS (put it first to make it the
    newest; keep the older entries after it until rotate-keys has run)."""
    from adapters.security.document_cipher import KEY_ID, generate_key

    if not KEY_ID.match(key_id):
        raise click.BadParameter("1-32 letters, digits, '-' or '_'", param_hint="--id")
    click.echo(f"{key_id}={generate_key()}")


async def _rotate(settings: Settings) -> tuple[int, list[str]]:
    from tqdm import tqdm

    async with running(settings) as container:
        module = module_container(container, "documents")
        rotation = module.rotate_keys()
        total = await rotation.remaining()
        active = module.cipher().active_key_id
        click.echo(f"{total} document(s) to re-encrypt under key {active!r}")
        rotated, problems = 0, []
        after = None
        with tqdm(total=total, unit="doc", disable=total == 0) as bar:
            while True:
                batch = await rotation.batch(after)
                if not batch:
                    break
                for document in batch:
                    step = await rotation.rotate(document)
                    after = document.id
                    if step.outcome == "rotated":
                        rotated += 1
                    elif step.outcome != "skipped":
                        problems.append(f"{document.id}: {step.outcome}")
                    bar.update(1)
        return rotated, problems


def register(cli: click.Group) -> None:
    @documents.command("rotate-keys")
    def rotate_keys() -> None:
        """Re-encrypt every encrypted document under the newest key (resumable)."""
        settings = _settings()
        try:
            rotated, problems = asyncio.run(_rotate(settings))
        except DomainError as exc:
            raise click.ClickException(exc.detail) from exc
        except KeyboardInterrupt:
            raise click.ClickException(
                "stopped; run `atelier documents rotate-keys` again to go on"
            ) from None
        click.echo(f"re-encrypted {rotated} document(s)")
        if problems:
            click.echo(
                "left as they were (their stored bytes are damaged or missing; "
                "see POST /documents/{id}/verify):",
                err=True,
            )
            for line in problems:
                click.echo(f"  {line}", err=True)
            raise SystemExit(1)

    cli.add_command(documents)
