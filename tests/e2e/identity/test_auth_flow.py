"""Sign-up, log-in, tokens, log-out and passwords over HTTP, on both profiles."""

from __future__ import annotations

from typing import Any

from application.identity.use_cases.login import LoginCommand
from domain.shared.access import Role
from tests.e2e.identity.conftest import ApiFactory
from tests.e2e.identity.support import PASSWORD, Api, bearer, unique_email

AUTH = "/api/v1/auth"


def _register_body(email: str, **extra: Any) -> dict[str, Any]:
    return {"email": email, "password": PASSWORD, "first_name": "Ada", "last_name": "L", **extra}


async def test_register_makes_a_client_whatever_the_body_says(api: Api) -> None:
    email = unique_email()
    body = _register_body(email, role="admin", id="00000000-0000-0000-0000-000000000001")
    answer = await api.client.post(f"{AUTH}/register", json={**body, "version": 99})
    assert answer.status_code == 201, answer.text
    user = answer.json()
    assert user["role"] == "client"
    assert user["id"] != body["id"]
    assert user["version"] == 1
    assert "password" not in answer.text
    assert "hash" not in answer.text
    assert answer.headers["location"] == f"/api/v1/users/{user['id']}"
    assert answer.headers["etag"] == '"1"'
    assert set(user) == {
        "id",
        "email",
        "first_name",
        "last_name",
        "role",
        "is_active",
        "created_at",
        "updated_at",
        "last_login_at",
        "version",
    }


async def test_register_conflict_weak_password_and_disabled(api_factory: ApiFactory) -> None:
    api = await api_factory()
    email = unique_email()
    assert (
        await api.client.post(f"{AUTH}/register", json=_register_body(email))
    ).status_code == 201
    again = await api.client.post(f"{AUTH}/register", json=_register_body(email.upper()))
    assert again.status_code == 409
    assert again.json()["code"] == "email_taken"
    weak = await api.client.post(
        f"{AUTH}/register", json={**_register_body(unique_email()), "password": "short"}
    )
    assert weak.status_code == 422
    assert weak.headers["content-type"].startswith("application/problem+json")
    closed = await api_factory(signup_enabled=False)
    refused = await closed.client.post(f"{AUTH}/register", json=_register_body(unique_email()))
    assert refused.status_code == 403


async def test_login_answers_a_token_pair(api: Api) -> None:
    user_id, email = await api.create_user(Role.TECHNICIAN)
    answer = await api.login(email.upper())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["user"]["id"] == user_id
    assert body["user"]["role"] == "technician"
    assert body["access_token"]
    assert body["refresh_token"]
    assert answer.headers["cache-control"] == "no-store"
    me = await api.client.get(f"{AUTH}/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == user_id
    assert me.headers["etag"] == f'"{me.json()["version"]}"'


async def test_bad_credentials_look_the_same_for_unknown_accounts(api: Api) -> None:
    _, email = await api.create_user(Role.CLIENT)
    wrong = await api.login(email, "not-the-password-at-all")
    unknown = await api.login(unique_email("ghost"), "not-the-password-at-all")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.headers["www-authenticate"] == unknown.headers["www-authenticate"]

    def strip(body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if k != "request_id"}

    assert strip(wrong.json()) == strip(unknown.json())


async def test_me_without_a_token_is_401_with_challenge(api: Api) -> None:
    answer = await api.client.get(f"{AUTH}/me")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer.headers["content-type"].startswith("application/problem+json")
    garbage = await api.client.get(f"{AUTH}/me", headers=bearer("not.a.jwt"))
    assert garbage.status_code == 401
    assert garbage.headers["www-authenticate"].startswith("Bearer")


async def test_refresh_rotates_and_reuse_revokes_the_family(api: Api) -> None:
    session = await api.session(Role.CLIENT)
    first = await api.client.post(f"{AUTH}/refresh", json={"refresh_token": session.refresh})
    assert first.status_code == 200, first.text
    pair = first.json()
    assert pair["refresh_token"] != session.refresh
    assert pair["token_type"] == "bearer"
    replay = await api.client.post(f"{AUTH}/refresh", json={"refresh_token": session.refresh})
    assert replay.status_code == 401
    # the replay killed the whole family, including the token issued by the rotation
    later = await api.client.post(f"{AUTH}/refresh", json={"refresh_token": pair["refresh_token"]})
    assert later.status_code == 401
    unknown = await api.client.post(f"{AUTH}/refresh", json={"refresh_token": "x" * 43})
    assert unknown.status_code == 401


async def test_logout_kills_the_access_token_and_family_at_once(api: Api) -> None:
    session = await api.session(Role.CLIENT)
    assert (await api.client.get(f"{AUTH}/me", headers=session.headers)).status_code == 200
    out = await api.client.post(
        f"{AUTH}/logout", headers=session.headers, json={"refresh_token": session.refresh}
    )
    assert out.status_code == 204
    after = await api.client.get(f"{AUTH}/me", headers=session.headers)
    assert after.status_code == 401
    assert after.headers["www-authenticate"].startswith("Bearer")
    refresh = await api.client.post(f"{AUTH}/refresh", json={"refresh_token": session.refresh})
    assert refresh.status_code == 401
    assert (await api.client.post(f"{AUTH}/logout")).status_code == 401


async def test_logout_without_body_ends_the_session_family(api: Api) -> None:
    session = await api.session(Role.TECHNICIAN)
    assert (await api.client.post(f"{AUTH}/logout", headers=session.headers)).status_code == 204
    refresh = await api.client.post(f"{AUTH}/refresh", json={"refresh_token": session.refresh})
    assert refresh.status_code == 401


async def test_password_change_kills_other_sessions(api: Api) -> None:
    _user_id, email = await api.create_user(Role.CLIENT)
    one = (await api.login(email)).json()
    other = (await api.login(email)).json()
    bad = await api.client.post(
        f"{AUTH}/password",
        headers=bearer(one["access_token"]),
        json={"current_password": "wrong-password-here", "new_password": "another-long-secret-9"},
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_current_password"
    changed = await api.client.post(
        f"{AUTH}/password",
        headers=bearer(one["access_token"]),
        json={"current_password": PASSWORD, "new_password": "another-long-secret-9"},
    )
    assert changed.status_code == 204
    assert (
        await api.client.get(f"{AUTH}/me", headers=bearer(one["access_token"]))
    ).status_code == 200
    killed = await api.client.get(f"{AUTH}/me", headers=bearer(other["access_token"]))
    assert killed.status_code == 401
    gone = await api.client.post(f"{AUTH}/refresh", json={"refresh_token": other["refresh_token"]})
    assert gone.status_code == 401
    assert (await api.login(email)).status_code == 401
    assert (await api.login(email, "another-long-secret-9")).status_code == 200


async def test_password_reset_flow(api: Api) -> None:
    _, email = await api.create_user(Role.CLIENT)
    session = await api.container.identity.login()(LoginCommand(email=email, password=PASSWORD))
    unknown = await api.client.post(f"{AUTH}/password-reset", json={"email": unique_email()})
    assert unknown.status_code == 202
    assert api.mailer.sent == []
    asked = await api.client.post(f"{AUTH}/password-reset", json={"email": email.upper()})
    assert asked.status_code == 202
    assert len(api.mailer.sent) == 1
    mail = api.mailer.sent[0]
    assert mail.to == email
    token = mail.text.split("once:\n", 1)[1].split("\n", 1)[0].rsplit("token=", 1)[-1].strip()
    new_password = "reset-by-mail-secret-7"
    weak = await api.client.post(
        f"{AUTH}/password-reset/confirm", json={"token": token, "new_password": "short"}
    )
    assert weak.status_code == 422
    done = await api.client.post(
        f"{AUTH}/password-reset/confirm", json={"token": token, "new_password": new_password}
    )
    assert done.status_code == 204
    reuse = await api.client.post(
        f"{AUTH}/password-reset/confirm", json={"token": token, "new_password": new_password + "x"}
    )
    assert reuse.status_code == 400
    assert (await api.login(email, new_password)).status_code == 200
    old_session = await api.client.get(f"{AUTH}/me", headers=bearer(session.access_token))
    assert old_session.status_code == 401
