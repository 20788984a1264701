"""``/users*``: administration of users and the caller's preferences.

Who may see or change what is decided by the use cases (``domain.shared.access``): hidden
users are 404, forbidden actions on visible ones 403.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from application.identity.ports import UserFilters
from application.identity.use_cases.create_user import CreateUser, CreateUserCommand
from application.identity.use_cases.deactivate_user import DeactivateUser, DeactivateUserCommand
from application.identity.use_cases.get_preferences import GetPreferences
from application.identity.use_cases.get_user import GetUser
from application.identity.use_cases.list_users import ListUsers, ListUsersQuery
from application.identity.use_cases.put_preferences import PutPreferences, PutPreferencesCommand
from application.identity.use_cases.update_user import UpdateUser, UpdateUserCommand
from domain.shared.access import Actor, Role
from entrypoints.http.auth import provide_actor
from entrypoints.http.errors import problem_responses
from entrypoints.http.identity.auth_controller import BEARER, user_response
from entrypoints.http.identity.dependencies import use_case
from entrypoints.http.identity.schemas import (
    PreferencesBody,
    PreferencesRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from entrypoints.http.schemas import (
    Page,
    PageParams,
    etag_for,
    provide_if_match,
    provide_page,
)


class UsersController(Controller):
    path = "/users"
    tags = ["users"]
    security = BEARER
    dependencies = {
        "actor": provide_actor,
        "expected_version": Provide(provide_if_match, sync_to_thread=False),
    }

    @get(
        "/",
        dependencies={
            "list_users": use_case("list_users"),
            "page": Provide(provide_page, sync_to_thread=False),
        },
        summary="List users",
    )
    async def list_users(
        self,
        actor: NamedDependency[Actor],
        list_users: NamedDependency[ListUsers],
        page: NamedDependency[PageParams],
        role: FromQuery[Role | None] = None,
        is_active: FromQuery[bool | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        sort: Annotated[
            str | None,
            QueryParameter(
                max_length=64,
                description="email, first_name, last_name, role, created_at, updated_at or "
                "last_login_at; a leading - sorts descending.",
            ),
        ] = None,
    ) -> Page[UserRead]:
        """Admins and managers only: the others may read just themselves (``/auth/me``,
        ``/users/{their id}``), so listing the collection is 403 for them."""
        result = await list_users(
            ListUsersQuery(
                actor=actor,
                filters=UserFilters(role=role, is_active=is_active, q=q),
                limit=page.limit,
                offset=page.offset,
                sort=sort,
            )
        )
        return Page(
            items=[UserRead.of(v) for v in result.items],
            total=result.total,
            limit=result.limit,
            offset=result.offset,
        )

    @post(
        "/",
        dependencies={"create_user": use_case("create_user")},
        summary="Create a user",
        responses=problem_responses(409),
    )
    async def create_user(
        self,
        data: JSONBody[UserCreate],
        actor: NamedDependency[Actor],
        create_user: NamedDependency[CreateUser],
    ) -> Response[UserRead]:
        """Admins create any role; managers any role but admin (403)."""
        view = await create_user(
            CreateUserCommand(
                actor=actor,
                email=data.email,
                password=data.password,
                first_name=data.first_name,
                last_name=data.last_name,
                role=data.role,
            )
        )
        return user_response(UserRead.of(view), 201)

    @get(
        "/me/preferences",
        dependencies={"get_preferences": use_case("get_preferences")},
        summary="The caller's preferences",
    )
    async def get_preferences(
        self, actor: NamedDependency[Actor], get_preferences: NamedDependency[GetPreferences]
    ) -> Response[PreferencesRead]:
        prefs = PreferencesRead.of(await get_preferences(actor))
        return Response(prefs, headers={"ETag": etag_for(prefs.version)})

    @put(
        "/me/preferences",
        dependencies={"put_preferences": use_case("put_preferences")},
        summary="Replace the caller's preferences",
    )
    async def put_preferences(
        self,
        data: JSONBody[PreferencesBody],
        actor: NamedDependency[Actor],
        put_preferences: NamedDependency[PutPreferences],
        expected_version: NamedDependency[int | None],
    ) -> Response[PreferencesRead]:
        view = await put_preferences(
            PutPreferencesCommand(
                actor=actor,
                favorite_namespaces=data.favorite_namespaces,
                favorite_collections=data.favorite_collections,
                favorite_modules=data.favorite_modules,
                settings=data.settings,
                expected_version=expected_version,
            )
        )
        prefs = PreferencesRead.of(view)
        return Response(prefs, headers={"ETag": etag_for(prefs.version)})

    @get("/{user_id:uuid}", dependencies={"get_user": use_case("get_user")}, summary="A user")
    async def get_user(
        self,
        user_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        get_user: NamedDependency[GetUser],
    ) -> Response[UserRead]:
        return user_response(UserRead.of(await get_user(actor, user_id)))

    @patch(
        "/{user_id:uuid}",
        dependencies={"update_user": use_case("update_user")},
        summary="Update a user",
    )
    async def update_user(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[UserUpdate],
        actor: NamedDependency[Actor],
        update_user: NamedDependency[UpdateUser],
        expected_version: NamedDependency[int | None],
    ) -> Response[UserRead]:
        """Names: self or admin. ``role`` and ``is_active``: admins only, never on oneself."""
        view = await update_user(
            UpdateUserCommand(
                actor=actor,
                user_id=user_id,
                expected_version=expected_version,
                first_name=data.first_name,
                last_name=data.last_name,
                role=data.role,
                is_active=data.is_active,
            )
        )
        return user_response(UserRead.of(view))

    @delete(
        "/{user_id:uuid}",
        dependencies={
            "deactivate_user": use_case("deactivate_user"),
            "get_user": use_case("get_user"),
        },
        status_code=HTTP_204_NO_CONTENT,
        summary="Deactivate a user",
        responses=problem_responses(422),
    )
    async def deactivate_user(
        self,
        user_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        deactivate_user: NamedDependency[DeactivateUser],
        get_user: NamedDependency[GetUser],
        expected_version: NamedDependency[int | None],
    ) -> Response[None]:
        """A soft delete: the user is deactivated and every session ends."""
        await deactivate_user(
            DeactivateUserCommand(actor=actor, user_id=user_id, expected_version=expected_version)
        )
        view = await get_user(actor, user_id)
        return Response(
            None, status_code=HTTP_204_NO_CONTENT, headers={"ETag": etag_for(view.version)}
        )
