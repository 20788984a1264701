"""Integration events to JSON values and back, with msgspec (the adapter edge).

Encoding is ``msgspec.to_builtins`` (UUIDs and datetimes become strings); decoding converts
the values back into the class registered for the event's name, checking every field's type,
so a payload that does not fit its class is refused (``ValueError``), never half-read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from application.shared.integration import EventCatalogue, IntegrationEvent
from application.shared.outbox import EventCodec


class MsgspecEventCodec(EventCodec):
    def __init__(self, catalogue: EventCatalogue) -> None:
        self._catalogue = catalogue

    def encode(self, event: IntegrationEvent) -> Mapping[str, Any]:
        encoded: Mapping[str, Any] = msgspec.to_builtins(event)
        return encoded

    def decode(self, name: str, payload: Mapping[str, Any]) -> IntegrationEvent:
        cls = self._catalogue.resolve(name)  # UnknownEvent (a LookupError) when nobody knows it
        try:
            event: IntegrationEvent = msgspec.convert(payload, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise ValueError(f"payload of {name} does not fit {cls.__name__}: {exc}") from exc
        return event
