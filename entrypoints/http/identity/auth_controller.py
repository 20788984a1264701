"""``/auth/*``: sign-up, log-in, token rotation, log-out, passwords."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from application.identity.use_cases.change_password import ChangePassword, ChangePasswordCommand
from application.identity.use_cases.confirm_password_reset import (
    ConfirmPasswordReset,
    ConfirmPasswordResetCommand,
)
from application.identity.use_cases.login import Login, LoginCommand
from application.identity.use_cases.logout import Logout, LogoutCommand
from application.identity.use_cases.me import GetMe
from application.identity.use_cases.refresh import Refresh, RefreshCommand
from application.identity.use_cases.register import Register, RegisterCommand
from application.identity.use_cases.request_password_reset import (
    RequestPasswordReset,
    RequestPasswordResetCommand,
)
from domain.shared.access import Actor
from entrypoints.http.auth import (
    provide_access_token,
    provide_actor,
    provide_client_address,
)
from entrypoints.http.docs import BEARER_SCHEME
from entrypoints.http.errors import problem_responses
from entrypoints.http.identity.dependencies import use_case
from entrypoints.http.identity.schemas import (
    ChangePasswordBody,
    LoginBody,
    LogoutBody,
    PasswordResetBody,
    PasswordResetConfirmBody,
    RefreshBody,
    RegisterBody,
    TokenPairRead,
    UserRead,
)
from entrypoints.http.rate_limit import OPT_KEY
from entrypoints.http.schemas import etag_for

USERS_PATH = "/api/v1/users"
NO_STORE = {"Cache-Control": "no-store"}
BEARER: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}]


def user_response(user: UserRead, status_code: int = 200) -> Response[UserRead]:
    headers = {"ETag": etag_for(user.version)}
    if status_code == 201:
        headers["Location"] = f"{USERS_PATH}/{user.id}"
    return Response(user, status_code=status_code, headers=headers)


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]
    dependencies = {
        "actor": provide_actor,
        "access_token": provide_access_token,
        "client_address": provide_client_address,
    }

    @post(
        "/register",
        dependencies={"register": use_case("register")},
        opt={OPT_KEY: "register"},
        summary="Sign up (role client)",
        responses=problem_responses(403, 409),
    )
    async def register(
        self, data: JSONBody[RegisterBody], register: NamedDependency[Register]
    ) -> Response[UserRead]:
        """201 with the new user (role ``client`` whatever the body says); 409 ``email_taken``;
        422 for a weak password; 403 when sign-up is disabled."""
        view = await register(
            RegisterCommand(
                email=data.email,
                password=data.password,
                first_name=data.first_name,
                last_name=data.last_name,
            )
        )
        return user_response(UserRead.of(view), 201)

    @post(
        "/login",
        dependencies={"login": use_case("login")},
        opt={OPT_KEY: "login"},
        status_code=200,
        summary="Log in",
        responses=problem_responses(401),
    )
    async def login(
        self,
        data: JSONBody[LoginBody],
        login: NamedDependency[Login],
        client_address: NamedDependency[str | None],
    ) -> Response[TokenPairRead]:
        """A token pair; 401 on bad credentials; 429 after repeated failures."""
        pair = await login(
            LoginCommand(email=data.email, password=data.password, client_address=client_address)
        )
        return Response(TokenPairRead.of(pair), headers=NO_STORE)

    @post(
        "/refresh",
        dependencies={"refresh": use_case("refresh")},
        opt={OPT_KEY: "refresh"},
        status_code=200,
        summary="Rotate a refresh token",
        responses=problem_responses(401),
    )
    async def refresh(
        self,
        data: JSONBody[RefreshBody],
        refresh: NamedDependency[Refresh],
        client_address: NamedDependency[str | None],
    ) -> Response[TokenPairRead]:
        """A new pair; a refresh token presented twice revokes its whole family (401)."""
        pair = await refresh(
            RefreshCommand(refresh_token=data.refresh_token, client_address=client_address)
        )
        return Response(TokenPairRead.of(pair), headers=NO_STORE)

    @post(
        "/logout",
        dependencies={"logout": use_case("logout")},
        status_code=HTTP_204_NO_CONTENT,
        summary="Log out",
        security=BEARER,
    )
    async def logout(
        self,
        actor: NamedDependency[Actor],
        access_token: NamedDependency[str],
        logout: NamedDependency[Logout],
        data: JSONBody[LogoutBody | None] = None,
    ) -> None:
        """The session's refresh family and this access token stop working at once."""
        await logout(
            LogoutCommand(
                actor=actor,
                access_token=access_token,
                refresh_token=data.refresh_token if data else None,
            )
        )

    @get("/me", dependencies={"me": use_case("me")}, summary="The caller", security=BEARER)
    async def me(
        self, actor: NamedDependency[Actor], me: NamedDependency[GetMe]
    ) -> Response[UserRead]:
        return user_response(UserRead.of(await me(actor)))

    @post(
        "/password",
        dependencies={"change_password": use_case("change_password")},
        status_code=HTTP_204_NO_CONTENT,
        summary="Change one's password",
        responses=problem_responses(400),
        security=BEARER,
    )
    async def change_password(
        self,
        data: JSONBody[ChangePasswordBody],
        actor: NamedDependency[Actor],
        change_password: NamedDependency[ChangePassword],
        client_address: NamedDependency[str | None],
    ) -> None:
        """Every other session is revoked; 400 ``invalid_current_password``."""
        await change_password(
            ChangePasswordCommand(
                actor=actor,
                current_password=data.current_password,
                new_password=data.new_password,
                client_address=client_address,
            )
        )

    @post(
        "/password-reset",
        dependencies={"request_reset": use_case("request_password_reset")},
        opt={OPT_KEY: "password_reset"},
        status_code=HTTP_202_ACCEPTED,
        summary="Ask for a password-reset mail",
    )
    async def request_reset(
        self,
        data: JSONBody[PasswordResetBody],
        request_reset: NamedDependency[RequestPasswordReset],
        client_address: NamedDependency[str | None],
    ) -> dict[str, str]:
        """202 always, whether or not the address is registered."""
        await request_reset(
            RequestPasswordResetCommand(email=data.email, client_address=client_address)
        )
        return {"detail": "If this address belongs to an account, a reset link is on its way."}

    @post(
        "/password-reset/confirm",
        dependencies={"confirm_reset": use_case("confirm_password_reset")},
        opt={OPT_KEY: "password_reset_confirm"},
        status_code=HTTP_204_NO_CONTENT,
        summary="Set a new password with a reset token",
        responses=problem_responses(400),
    )
    async def confirm_reset(
        self,
        data: JSONBody[PasswordResetConfirmBody],
        confirm_reset: NamedDependency[ConfirmPasswordReset],
        client_address: NamedDependency[str | None],
    ) -> None:
        """204; 400 ``invalid_reset_token`` for a used or expired token."""
        await confirm_reset(
            ConfirmPasswordResetCommand(
                token=data.token, new_password=data.new_password, client_address=client_address
            )
        )
