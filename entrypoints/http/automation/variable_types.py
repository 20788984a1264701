"""``/variable-types*`` (everybody: the catalogue and validation) and
``/admin/variable-types*`` (administrators: custom types)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from application.automation.ports import VARIABLE_TYPE_SORT_FIELDS
from application.automation.use_cases._variable_types import VariableTypeFields
from application.automation.use_cases.admin_list_variable_types import AdminListVariableTypes
from application.automation.use_cases.create_variable_type import (
    CreateVariableType,
    CreateVariableTypeCommand,
)
from application.automation.use_cases.delete_variable_type import (
    DeleteVariableType,
    DeleteVariableTypeCommand,
)
from application.automation.use_cases.get_variable_type import (
    GetVariableType,
    GetVariableTypeQuery,
)
from application.automation.use_cases.list_variable_types import (
    ListVariableTypes,
    ListVariableTypesQuery,
)
from application.automation.use_cases.replace_variable_type import (
    ReplaceVariableType,
    ReplaceVariableTypeCommand,
)
from application.automation.use_cases.validate_value import ValidateValue, ValidateValueCommand
from domain.shared.access import Actor
from entrypoints.http.automation.dependencies import use_case
from entrypoints.http.automation.schemas import (
    ValidateBody,
    VariableTypeBody,
    VariableTypeRead,
    VerdictRead,
)
from entrypoints.http.dependencies import (
    BEARER,
    COMMON,
    created_response,
    provide_idempotency,
    read_spec,
    sort_by,
    with_etag,
)
from entrypoints.http.errors import problem_responses
from entrypoints.http.idempotency import Idempotency, IdempotencyKeyHeader
from entrypoints.http.schemas import Page, PageParams, Sort

ADMIN_PATH = "/admin/variable-types"


def _fields(data: VariableTypeBody) -> VariableTypeFields:
    return VariableTypeFields(
        name=data.name,
        label=data.label,
        pattern=data.pattern,
        description=data.description,
        is_active=data.is_active,
    )


class VariableTypesController(Controller):
    path = "/variable-types"
    tags = ["variable types"]
    security = BEARER
    dependencies = dict(COMMON)

    @get(
        "/",
        dependencies={"list_variable_types": use_case("list_variable_types")},
        summary="Builtin and active custom variable types",
        responses=problem_responses(401, 422),
    )
    async def list_variable_types(
        self,
        actor: NamedDependency[Actor],
        list_variable_types: NamedDependency[ListVariableTypes],
        page: NamedDependency[PageParams],
    ) -> Page[VariableTypeRead]:
        """The builtins (``string, int, bool, list, dict``) first, then the active custom
        types by name."""
        result = await list_variable_types(
            ListVariableTypesQuery(actor=actor, limit=page.limit, offset=page.offset)
        )
        return page.page([VariableTypeRead.of(v) for v in result.items], result.total)

    @post(
        "/validate",
        dependencies={"validate_value": use_case("validate_value")},
        status_code=HTTP_200_OK,
        summary="Validate a value against a variable type",
        responses=problem_responses(401, 422),
    )
    async def validate(
        self,
        data: JSONBody[ValidateBody],
        actor: NamedDependency[Actor],
        validate_value: NamedDependency[ValidateValue],
    ) -> VerdictRead:
        """``{valid, message, parsed}``. Runs in time linear in the value whatever the pattern
        (RE2); ``| from_yaml`` is a safe loader bounded in size, depth and alias expansion.
        An unknown or inactive type is 422 ``unknown_variable_type``."""
        verdict = await validate_value(
            ValidateValueCommand(actor=actor, type=data.type, value=data.value)
        )
        return VerdictRead.of(verdict)


class AdminVariableTypesController(Controller):
    path = ADMIN_PATH
    tags = ["variable types"]
    security = BEARER
    dependencies = dict(COMMON)

    @get(
        "/",
        dependencies={
            "admin_list": use_case("admin_list_variable_types"),
            "sort": sort_by(VARIABLE_TYPE_SORT_FIELDS, "name"),
        },
        summary="Every custom variable type (administrators)",
        responses=problem_responses(401, 403, 422),
    )
    async def list_custom(
        self,
        actor: NamedDependency[Actor],
        admin_list: NamedDependency[AdminListVariableTypes],
        page: NamedDependency[PageParams],
        sort: NamedDependency[Sort],
    ) -> Page[VariableTypeRead]:
        result = await admin_list(
            ListVariableTypesQuery(
                actor=actor, limit=page.limit, offset=page.offset, sort=str(sort)
            )
        )
        return page.page([VariableTypeRead.of(v) for v in result.items], result.total)

    @post(
        "/",
        dependencies={
            "create_variable_type": use_case("create_variable_type"),
            "idempotency": provide_idempotency,
        },
        summary="Create a custom variable type (administrators)",
        responses={201: read_spec(VariableTypeRead), **problem_responses(403, 409, 422)},
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[VariableTypeBody],
        actor: NamedDependency[Actor],
        create_variable_type: NamedDependency[CreateVariableType],
        idempotency: NamedDependency[Idempotency],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[bytes]:
        """``name`` matches ``^[a-z][a-z0-9_]{0,49}$`` and is unique (409
        ``variable_type_taken``, also for a builtin's name). A ``pattern`` that is not a
        regular expression is 422 ``invalid_pattern``; one RE2 cannot run in linear time
        (back-references, look-around) 422 ``unsupported_pattern``."""

        async def produce() -> Any:
            view = await create_variable_type(
                CreateVariableTypeCommand(actor=actor, fields=_fields(data))
            )
            return created_response(VariableTypeRead.of(view), ADMIN_PATH)

        return await idempotency.run(
            request,
            actor,
            route="POST /admin/variable-types",
            key=idempotency_key,
            produce=produce,
        )

    @get(
        "/{type_id:uuid}",
        dependencies={"get_variable_type": use_case("get_variable_type")},
        summary="One custom variable type (administrators)",
        responses=problem_responses(401, 403, 404),
    )
    async def get_one(
        self,
        type_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        get_variable_type: NamedDependency[GetVariableType],
    ) -> Response[VariableTypeRead]:
        view = await get_variable_type(GetVariableTypeQuery(actor=actor, type_id=type_id))
        return with_etag(VariableTypeRead.of(view))

    @put(
        "/{type_id:uuid}",
        dependencies={"replace_variable_type": use_case("replace_variable_type")},
        summary="Replace a custom variable type (administrators)",
        responses=problem_responses(400, 403, 404, 409, 412, 422),
    )
    async def replace(
        self,
        type_id: FromPath[UUID],
        data: JSONBody[VariableTypeBody],
        actor: NamedDependency[Actor],
        replace_variable_type: NamedDependency[ReplaceVariableType],
        expected_version: NamedDependency[int | None],
    ) -> Response[VariableTypeRead]:
        """As creation; honours ``If-Match`` (412 when stale)."""
        view = await replace_variable_type(
            ReplaceVariableTypeCommand(
                actor=actor,
                type_id=type_id,
                fields=_fields(data),
                expected_version=expected_version,
            )
        )
        return with_etag(VariableTypeRead.of(view))

    @delete(
        "/{type_id:uuid}",
        dependencies={"delete_variable_type": use_case("delete_variable_type")},
        status_code=HTTP_204_NO_CONTENT,
        summary="Delete a custom variable type (administrators)",
        responses=problem_responses(403, 404, 412),
    )
    async def remove(
        self,
        type_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        delete_variable_type: NamedDependency[DeleteVariableType],
        expected_version: NamedDependency[int | None],
    ) -> None:
        await delete_variable_type(
            DeleteVariableTypeCommand(
                actor=actor, type_id=type_id, expected_version=expected_version
            )
        )
