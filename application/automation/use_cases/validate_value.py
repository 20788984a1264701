"""POST /variable-types/validate: ``{type, value}`` -> ``{valid, message, parsed}``.

An unknown or inactive type is 422 ``unknown_variable_type`` (field ``type``); a value over
64 KiB is 422 naming ``value``. Everything else is an answer, never an error: a value that
does not parse or does not match is ``valid: false`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from application.automation.ports import AutomationUnitOfWork
from application.automation.validation import ValueValidator, value_too_long
from application.automation.views import Verdict
from domain.automation.variable_types import BUILTIN_NAMES, MAX_VALUE_BYTES
from domain.shared.access import Action, Actor, Resource, require
from domain.shared.errors import FieldError, ValidationFailed


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidateValueCommand:
    actor: Actor
    type: str
    value: str


class ValidateValue:
    def __init__(self, uow: AutomationUnitOfWork, validator: ValueValidator) -> None:
        self._uow, self._validator = uow, validator

    async def __call__(self, command: ValidateValueCommand) -> Verdict:
        require(command.actor, Resource.VARIABLE_TYPES, Action.VALIDATE)
        if value_too_long(command.value):
            raise ValidationFailed(
                errors=[FieldError("value", f"At most {MAX_VALUE_BYTES} bytes (UTF-8).")]
            )
        if command.type in BUILTIN_NAMES:
            return self._validator.builtin(command.type, command.value)
        async with self._uow as uow:
            found = await uow.variable_types.get_by_name(command.type)
        if found is None or not found.is_active:
            raise ValidationFailed(
                f"There is no active variable type named {command.type[:60]!r}.",
                code="unknown_variable_type",
                errors=[FieldError("type", "No active variable type has this name.")],
            )
        return self._validator.custom(found.pattern, command.value)
