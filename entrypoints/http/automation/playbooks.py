"""``/playbooks*``: the caller's playbooks (an administrator sees every one) and their
Ansible YAML export."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from application.automation.ports import PLAYBOOK_SORT_FIELDS
from application.automation.use_cases.create_playbook import (
    CreatePlaybook,
    CreatePlaybookCommand,
)
from application.automation.use_cases.delete_playbook import (
    DeletePlaybook,
    DeletePlaybookCommand,
)
from application.automation.use_cases.export_playbook import (
    ExportPlaybook,
    ExportPlaybookQuery,
)
from application.automation.use_cases.get_playbook import GetPlaybook, GetPlaybookQuery
from application.automation.use_cases.list_playbooks import ListPlaybooks, ListPlaybooksQuery
from application.automation.use_cases.update_playbook import (
    UpdatePlaybook,
    UpdatePlaybookCommand,
)
from domain.shared.access import Actor
from entrypoints.http.automation.dependencies import use_case
from entrypoints.http.automation.schemas import (
    PlaybookCreate,
    PlaybookPatch,
    PlaybookRead,
    PlaybookReplace,
)
from entrypoints.http.dependencies import (
    BEARER,
    COMMON,
    SearchParam,
    created_response,
    provide_idempotency,
    read_spec,
    sort_by,
    with_etag,
)
from entrypoints.http.errors import problem_responses
from entrypoints.http.idempotency import Idempotency, IdempotencyKeyHeader
from entrypoints.http.schemas import Page, PageParams, Sort

PATH = "/playbooks"


class PlaybooksController(Controller):
    path = PATH
    tags = ["playbooks"]
    security = BEARER
    dependencies = dict(COMMON)

    @get(
        "/",
        dependencies={
            "list_playbooks": use_case("list_playbooks"),
            "sort": sort_by(PLAYBOOK_SORT_FIELDS, "-updated_at"),
        },
        summary="List playbooks",
        responses=problem_responses(401, 422),
    )
    async def list_playbooks(
        self,
        actor: NamedDependency[Actor],
        list_playbooks: NamedDependency[ListPlaybooks],
        page: NamedDependency[PageParams],
        sort: NamedDependency[Sort],
        q: SearchParam = None,
    ) -> Page[PlaybookRead]:
        """The caller's playbooks (an administrator's list holds everybody's); ``q`` is a
        case-insensitive substring of the name; ``sort``: ``name``, ``created_at``,
        ``updated_at`` (default ``-updated_at``)."""
        result = await list_playbooks(
            ListPlaybooksQuery(
                actor=actor, q=q, limit=page.limit, offset=page.offset, sort=str(sort)
            )
        )
        return page.page([PlaybookRead.of(v) for v in result.items], result.total)

    @post(
        "/",
        dependencies={
            "create_playbook": use_case("create_playbook"),
            "idempotency": provide_idempotency,
        },
        summary="Create a playbook",
        responses={201: read_spec(PlaybookRead), **problem_responses(400, 413, 422)},
    )
    async def create_playbook(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PlaybookCreate],
        actor: NamedDependency[Actor],
        create_playbook: NamedDependency[CreatePlaybook],
        idempotency: NamedDependency[Idempotency],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[bytes]:
        """``content`` over 256 KiB (as compact JSON) is 413 ``content_too_large``, nested
        deeper than 32 levels 422 ``content_too_deep``; both name ``content``. Honours
        ``Idempotency-Key``."""

        async def produce() -> Any:
            view = await create_playbook(
                CreatePlaybookCommand(actor=actor, name=data.name, content=data.content)
            )
            return created_response(PlaybookRead.of(view), PATH)

        return await idempotency.run(
            request, actor, route="POST /playbooks", key=idempotency_key, produce=produce
        )

    @get(
        "/{playbook_id:uuid}",
        dependencies={"get_playbook": use_case("get_playbook")},
        summary="One playbook",
        responses=problem_responses(401, 404),
    )
    async def get_playbook(
        self,
        playbook_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        get_playbook: NamedDependency[GetPlaybook],
    ) -> Response[PlaybookRead]:
        """Another user's playbook is 404 (an administrator sees every one)."""
        view = await get_playbook(GetPlaybookQuery(actor=actor, playbook_id=playbook_id))
        return with_etag(PlaybookRead.of(view))

    @put(
        "/{playbook_id:uuid}",
        dependencies={"update_playbook": use_case("update_playbook")},
        summary="Replace a playbook",
        responses=problem_responses(400, 404, 412, 413, 422),
    )
    async def replace_playbook(
        self,
        playbook_id: FromPath[UUID],
        data: JSONBody[PlaybookReplace],
        actor: NamedDependency[Actor],
        update_playbook: NamedDependency[UpdatePlaybook],
        expected_version: NamedDependency[int | None],
    ) -> Response[PlaybookRead]:
        """``name`` and ``content`` both required. Honours ``If-Match`` (412 when stale)."""
        view = await update_playbook(
            UpdatePlaybookCommand(
                actor=actor,
                playbook_id=playbook_id,
                name=data.name,
                content=data.content,
                expected_version=expected_version,
            )
        )
        return with_etag(PlaybookRead.of(view))

    @patch(
        "/{playbook_id:uuid}",
        dependencies={"update_playbook": use_case("update_playbook")},
        summary="Change a playbook's name or content",
        responses=problem_responses(400, 404, 412, 413, 422),
    )
    async def patch_playbook(
        self,
        playbook_id: FromPath[UUID],
        data: JSONBody[PlaybookPatch],
        actor: NamedDependency[Actor],
        update_playbook: NamedDependency[UpdatePlaybook],
        expected_version: NamedDependency[int | None],
    ) -> Response[PlaybookRead]:
        """The fields present are replaced (``content`` as a whole). Honours ``If-Match``."""
        view = await update_playbook(
            UpdatePlaybookCommand(
                actor=actor,
                playbook_id=playbook_id,
                name=data.name if isinstance(data.name, str) else None,
                content=data.content if isinstance(data.content, dict) else None,
                expected_version=expected_version,
            )
        )
        return with_etag(PlaybookRead.of(view))

    @delete(
        "/{playbook_id:uuid}",
        dependencies={"delete_playbook": use_case("delete_playbook")},
        status_code=HTTP_204_NO_CONTENT,
        summary="Delete a playbook",
        responses=problem_responses(404, 412),
    )
    async def delete_playbook(
        self,
        playbook_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        delete_playbook: NamedDependency[DeletePlaybook],
        expected_version: NamedDependency[int | None],
    ) -> None:
        await delete_playbook(
            DeletePlaybookCommand(
                actor=actor, playbook_id=playbook_id, expected_version=expected_version
            )
        )

    @get(
        "/{playbook_id:uuid}/export",
        dependencies={"export_playbook": use_case("export_playbook")},
        summary="The playbook as Ansible YAML",
        media_type="application/yaml",
        responses=problem_responses(401, 404),
    )
    async def export_playbook(
        self,
        playbook_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        export_playbook: NamedDependency[ExportPlaybook],
    ) -> Response[bytes]:
        """The content as block-style YAML (``application/yaml``, an attachment named after
        the playbook); loading it back gives the same document."""
        exported = await export_playbook(ExportPlaybookQuery(actor=actor, playbook_id=playbook_id))
        return Response(
            content=exported.yaml.encode(),
            media_type="application/yaml",
            headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
        )
