"""POST /images: an image judged from its bytes, stored without its metadata.

Clients' and technicians' uploads are private to them; managers' and admins' are public.
See ``application.media.intake`` for the steps and the answers."""

from __future__ import annotations

from application.media.commands import UploadImageCommand
from application.media.intake import ImageIntake
from domain.media.images import Image, visibility_for
from domain.shared.access import Action, Resource, require


class UploadImage:
    def __init__(self, intake: ImageIntake) -> None:
        self._intake = intake

    async def __call__(self, command: UploadImageCommand) -> Image:
        actor = command.actor
        require(actor, Resource.IMAGES, Action.CREATE)
        Image.clean_title(command.fields.get("title"))  # refused before the bytes are read
        self._intake.admit(command.head)
        data = await self._intake.read_all(command.chunks)
        return await self._intake.store(
            data,
            owner_id=actor.user_id,
            visibility=visibility_for(actor.role),
            title=command.fields.get("title"),
            actor=actor,
        )
