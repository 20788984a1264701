"""``/categories``, ``/colors``, ``/themes``: the catalogue (admins and managers manage it,
everyone reads it)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from application.media.commands import (
    CreateCategoryCommand,
    CreateColorCommand,
    CreateThemeCommand,
    DeleteItemCommand,
    ItemQuery,
    ListNamedQuery,
    ListThemesQuery,
    UpdateItemCommand,
)
from application.media.ports import NAMED_SORT_FIELDS, NameFilters, ThemeFilters
from application.media.use_cases.create_category import CreateCategory
from application.media.use_cases.create_color import CreateColor
from application.media.use_cases.create_theme import CreateTheme
from application.media.use_cases.delete_item import DeleteItem
from application.media.use_cases.get_item import GetItem
from application.media.use_cases.list_named import ListNamed
from application.media.use_cases.list_themes import ListThemes
from application.media.use_cases.update_item import UpdateItem
from domain.shared.access import Actor
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
from entrypoints.http.media.dependencies import use_case
from entrypoints.http.media.schemas import (
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    ColorCreate,
    ColorRead,
    ColorUpdate,
    ThemeCreate,
    ThemeRead,
    ThemeUpdate,
    changes_of,
)
from entrypoints.http.schemas import Page, PageParams, Sort

ID = "/{item_id:uuid}"


class CategoriesController(Controller):
    path = "/categories"
    tags = ["media"]
    security = BEARER
    dependencies = dict(COMMON)

    @get("/", dependencies={"run": use_case("list_categories"),
                            "sort": sort_by(NAMED_SORT_FIELDS, "name")},
         summary="List categories", responses=problem_responses(401, 422))  # fmt: skip
    async def list_items(
        self,
        actor: NamedDependency[Actor],
        run: NamedDependency[ListNamed],
        page: NamedDependency[PageParams],
        sort: NamedDependency[Sort],
        q: SearchParam = None,
    ) -> Page[CategoryRead]:
        result = await run(
            ListNamedQuery(
                actor=actor, filters=NameFilters(q=q), limit=page.limit, offset=page.offset,
                sort=str(sort),
            )
        )  # fmt: skip
        return page.page([CategoryRead.of(c) for c in result.items], result.total)

    @post("/", dependencies={"run": use_case("create_category"),
                             "idempotency": provide_idempotency},
          summary="Create a category",
          responses={201: read_spec(CategoryRead), **problem_responses(403, 409, 422)})  # fmt: skip
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[CategoryCreate],
        actor: NamedDependency[Actor],
        run: NamedDependency[CreateCategory],
        idempotency: NamedDependency[Idempotency],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[bytes]:
        """Names are unique, compared without case (409 ``name_taken``). Honours
        ``Idempotency-Key``."""

        async def produce() -> Any:
            item = await run(
                CreateCategoryCommand(actor=actor, name=data.name, description=data.description)
            )
            return created_response(CategoryRead.of(item), "/categories")

        return await idempotency.run(request, actor, route="POST /categories",
                                     key=idempotency_key, produce=produce)  # fmt: skip

    @get(ID, dependencies={"run": use_case("get_category")}, summary="One category",
         responses=problem_responses(401, 404))  # fmt: skip
    async def read(
        self, item_id: FromPath[UUID], actor: NamedDependency[Actor], run: NamedDependency[GetItem]
    ) -> Response[CategoryRead]:
        return with_etag(CategoryRead.of(await run(ItemQuery(actor=actor, item_id=item_id))))

    @patch(ID, dependencies={"run": use_case("update_category")}, summary="Update a category",
           responses=problem_responses(400, 403, 404, 409, 412, 422))  # fmt: skip
    async def update(
        self,
        item_id: FromPath[UUID],
        data: JSONBody[CategoryUpdate],
        actor: NamedDependency[Actor],
        run: NamedDependency[UpdateItem],
        expected_version: NamedDependency[int | None],
    ) -> Response[CategoryRead]:
        """Honours ``If-Match`` (412 when stale); 409 ``name_taken``."""
        item = await run(UpdateItemCommand(actor=actor, item_id=item_id, changes=changes_of(data),
                                           expected_version=expected_version))  # fmt: skip
        return with_etag(CategoryRead.of(item))

    @delete(ID, dependencies={"run": use_case("delete_category")},
            status_code=HTTP_204_NO_CONTENT, summary="Delete a category",
            responses=problem_responses(403, 404, 409, 412))  # fmt: skip
    async def remove(
        self,
        item_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        run: NamedDependency[DeleteItem],
        expected_version: NamedDependency[int | None],
    ) -> None:
        """409 ``category_in_use`` while a theme has this category."""
        await run(DeleteItemCommand(actor=actor, item_id=item_id,
                                    expected_version=expected_version))  # fmt: skip


class ColorsController(Controller):
    path = "/colors"
    tags = ["media"]
    security = BEARER
    dependencies = dict(COMMON)

    @get("/", dependencies={"run": use_case("list_colors"),
                            "sort": sort_by(NAMED_SORT_FIELDS, "name")},
         summary="List colours", responses=problem_responses(401, 422))  # fmt: skip
    async def list_items(
        self,
        actor: NamedDependency[Actor],
        run: NamedDependency[ListNamed],
        page: NamedDependency[PageParams],
        sort: NamedDependency[Sort],
        q: SearchParam = None,
    ) -> Page[ColorRead]:
        result = await run(
            ListNamedQuery(
                actor=actor, filters=NameFilters(q=q), limit=page.limit, offset=page.offset,
                sort=str(sort),
            )
        )  # fmt: skip
        return page.page([ColorRead.of(c) for c in result.items], result.total)

    @post("/", dependencies={"run": use_case("create_color"),
                             "idempotency": provide_idempotency},
          summary="Create a colour",
          responses={201: read_spec(ColorRead), **problem_responses(403, 409, 422)})  # fmt: skip
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ColorCreate],
        actor: NamedDependency[Actor],
        run: NamedDependency[CreateColor],
        idempotency: NamedDependency[Idempotency],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[bytes]:
        """``hex`` is ``#RRGGBB`` (422 otherwise; stored upper-case); names are unique (409
        ``name_taken``). Honours ``Idempotency-Key``."""

        async def produce() -> Any:
            item = await run(CreateColorCommand(actor=actor, name=data.name, hex=data.hex))
            return created_response(ColorRead.of(item), "/colors")

        return await idempotency.run(request, actor, route="POST /colors",
                                     key=idempotency_key, produce=produce)  # fmt: skip

    @get(ID, dependencies={"run": use_case("get_color")}, summary="One colour",
         responses=problem_responses(401, 404))  # fmt: skip
    async def read(
        self, item_id: FromPath[UUID], actor: NamedDependency[Actor], run: NamedDependency[GetItem]
    ) -> Response[ColorRead]:
        return with_etag(ColorRead.of(await run(ItemQuery(actor=actor, item_id=item_id))))

    @patch(ID, dependencies={"run": use_case("update_color")}, summary="Update a colour",
           responses=problem_responses(400, 403, 404, 409, 412, 422))  # fmt: skip
    async def update(
        self,
        item_id: FromPath[UUID],
        data: JSONBody[ColorUpdate],
        actor: NamedDependency[Actor],
        run: NamedDependency[UpdateItem],
        expected_version: NamedDependency[int | None],
    ) -> Response[ColorRead]:
        """Honours ``If-Match`` (412 when stale)."""
        item = await run(UpdateItemCommand(actor=actor, item_id=item_id, changes=changes_of(data),
                                           expected_version=expected_version))  # fmt: skip
        return with_etag(ColorRead.of(item))

    @delete(ID, dependencies={"run": use_case("delete_color")},
            status_code=HTTP_204_NO_CONTENT, summary="Delete a colour",
            responses=problem_responses(403, 404, 409, 412))  # fmt: skip
    async def remove(
        self,
        item_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        run: NamedDependency[DeleteItem],
        expected_version: NamedDependency[int | None],
    ) -> None:
        """409 ``color_in_use`` while a theme has this colour."""
        await run(DeleteItemCommand(actor=actor, item_id=item_id,
                                    expected_version=expected_version))  # fmt: skip


class ThemesController(Controller):
    path = "/themes"
    tags = ["media"]
    security = BEARER
    dependencies = dict(COMMON)

    @get("/", dependencies={"run": use_case("list_themes"),
                            "sort": sort_by(NAMED_SORT_FIELDS, "name")},
         summary="List themes", responses=problem_responses(401, 422))  # fmt: skip
    async def list_items(
        self,
        actor: NamedDependency[Actor],
        run: NamedDependency[ListThemes],
        page: NamedDependency[PageParams],
        sort: NamedDependency[Sort],
        category_id: FromQuery[UUID | None] = None,
        color_id: FromQuery[UUID | None] = None,
        q: SearchParam = None,
    ) -> Page[ThemeRead]:
        """Filters: ``category_id``, ``color_id`` (themes having that colour), ``q`` (name or
        description)."""
        filters = ThemeFilters(category_id=category_id, color_id=color_id, q=q)
        result = await run(ListThemesQuery(actor=actor, filters=filters, limit=page.limit,
                                           offset=page.offset, sort=str(sort)))  # fmt: skip
        return page.page([ThemeRead.of(t) for t in result.items], result.total)

    @post("/", dependencies={"run": use_case("create_theme"),
                             "idempotency": provide_idempotency},
          summary="Create a theme",
          responses={201: read_spec(ThemeRead), **problem_responses(403, 409, 422)})  # fmt: skip
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ThemeCreate],
        actor: NamedDependency[Actor],
        run: NamedDependency[CreateTheme],
        idempotency: NamedDependency[Idempotency],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[bytes]:
        """``category_id``, ``color_ids`` and ``cover_image_id`` must exist: 422
        ``unknown_reference`` naming each field that does not. Names are unique (409
        ``name_taken``). Honours ``Idempotency-Key``."""

        async def produce() -> Any:
            item = await run(
                CreateThemeCommand(
                    actor=actor,
                    name=data.name,
                    description=data.description,
                    category_id=data.category_id,
                    color_ids=data.color_ids,
                    cover_image_id=data.cover_image_id,
                )
            )
            return created_response(ThemeRead.of(item), "/themes")

        return await idempotency.run(request, actor, route="POST /themes",
                                     key=idempotency_key, produce=produce)  # fmt: skip

    @get(ID, dependencies={"run": use_case("get_theme")}, summary="One theme",
         responses=problem_responses(401, 404))  # fmt: skip
    async def read(
        self, item_id: FromPath[UUID], actor: NamedDependency[Actor], run: NamedDependency[GetItem]
    ) -> Response[ThemeRead]:
        return with_etag(ThemeRead.of(await run(ItemQuery(actor=actor, item_id=item_id))))

    @patch(ID, dependencies={"run": use_case("update_theme")}, summary="Update a theme",
           responses=problem_responses(400, 403, 404, 409, 412, 422))  # fmt: skip
    async def update(
        self,
        item_id: FromPath[UUID],
        data: JSONBody[ThemeUpdate],
        actor: NamedDependency[Actor],
        run: NamedDependency[UpdateItem],
        expected_version: NamedDependency[int | None],
    ) -> Response[ThemeRead]:
        """``color_ids`` replaces the list. Honours ``If-Match`` (412 when stale); 422
        ``unknown_reference`` as on creation."""
        item = await run(UpdateItemCommand(actor=actor, item_id=item_id, changes=changes_of(data),
                                           expected_version=expected_version))  # fmt: skip
        return with_etag(ThemeRead.of(item))

    @delete(ID, dependencies={"run": use_case("delete_theme")},
            status_code=HTTP_204_NO_CONTENT, summary="Delete a theme",
            responses=problem_responses(403, 404, 412))  # fmt: skip
    async def remove(
        self,
        item_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        run: NamedDependency[DeleteItem],
        expected_version: NamedDependency[int | None],
    ) -> None:
        await run(DeleteItemCommand(actor=actor, item_id=item_id,
                                    expected_version=expected_version))  # fmt: skip
