"""``atelier events failed`` and ``atelier events replay ID``: the parked event deliveries.

A delivery is parked (the dead letters) when its handler kept failing through its retries,
or when the relay met an event name no installed module knows. ``failed`` lists them with
their last error; ``replay`` runs one again now, in this process (the handler's inbox still
guarantees its effect happens once): on success the letter is removed, on failure it stays
with the new error and the command exits 1.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

import click

from application.shared.delivery import ReplayDeadLetter
from entrypoints.bootstrap.background import handler_for
from entrypoints.bootstrap.container import running
from entrypoints.bootstrap.settings import Settings, SettingsError, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def events() -> None:
    """Integration events that could not be delivered."""


@events.command("failed")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
def failed(limit: int) -> None:
    """List the parked deliveries, newest first, with their last error."""

    async def main() -> None:
        async with running(_settings()) as container:
            letters, total = await container.dead_letters().list(limit=limit, offset=0)
        if not letters:
            click.echo("no parked events")
            return
        click.echo(f"{total} parked event(s){'' if total <= limit else f', newest {limit}'}:")
        for letter in letters:
            click.echo(
                f"{letter.id}  {letter.failed_at:%Y-%m-%d %H:%M:%S}Z  {letter.name}  "
                f"handler={letter.handler or '(none: unknown event)'}  "
                f"attempts={letter.attempts}"
            )
            click.echo(f"    {letter.error.splitlines()[-1] if letter.error else ''}")

    asyncio.run(main())


@events.command("replay")
@click.argument("letter_id", type=click.UUID)
def replay(letter_id: UUID) -> None:
    """Run the parked delivery LETTER_ID again now."""

    async def main() -> None:
        async with running(_settings()) as container:
            use_case = ReplayDeadLetter(
                container.event_codec(),
                container.subscriptions(),
                lambda subscription: handler_for(container, subscription),
                container.dead_letters(),
                container.clock(),
            )
            try:
                letter = await use_case(letter_id)
            except Exception as exc:
                raise click.ClickException(
                    f"replay failed, the event stays parked: {type(exc).__name__}: {exc}"
                ) from exc
        click.echo(
            f"replayed {letter.name} ({letter.event_id}) for {letter.handler or 'every subscriber'}"
        )

    asyncio.run(main())


def register(cli: click.Group) -> None:
    cli.add_command(events)
