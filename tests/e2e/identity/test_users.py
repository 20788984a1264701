"""``/users*`` over HTTP: the roles matrix, ETags and If-Match, sessions cut by admin changes."""

from __future__ import annotations

from typing import Any

from domain.shared.access import Role
from tests.e2e.identity.support import PASSWORD, Api, unique_email

USERS = "/api/v1/users"
ME = "/api/v1/auth/me"


def _new_user(role: str, **extra: Any) -> dict[str, Any]:
    return {
        "email": unique_email(role),
        "password": PASSWORD,
        "first_name": "New",
        "last_name": "Person",
        "role": role,
        **extra,
    }


async def test_admin_lists_users_as_a_page(api: Api) -> None:
    admin = await api.session(Role.ADMIN)
    await api.create_user(Role.TECHNICIAN)
    page = await api.client.get(USERS, headers=admin.headers, params={"role": "technician"})
    assert page.status_code == 200, page.text
    body = page.json()
    assert set(body) == {"items", "total", "limit", "offset"}
    assert body["limit"] == 50
    assert body["offset"] == 0
    assert body["total"] >= 1
    assert {u["role"] for u in body["items"]} == {"technician"}
    capped = await api.client.get(USERS, headers=admin.headers, params={"limit": 1000})
    assert capped.json()["limit"] == 200
    for bad in ({"limit": -1}, {"offset": "x"}, {"sort": "password_hash"}, {"role": "king"}):
        assert (await api.client.get(USERS, headers=admin.headers, params=bad)).status_code == 422
    assert (await api.client.get(USERS)).status_code == 401


async def test_client_cannot_list_users_nor_see_others(api: Api) -> None:
    client = await api.session(Role.CLIENT)
    other_id, _ = await api.create_user(Role.TECHNICIAN)
    assert (await api.client.get(USERS, headers=client.headers)).status_code == 403
    hidden = await api.client.get(f"{USERS}/{other_id}", headers=client.headers)
    assert hidden.status_code == 404
    missing = await api.client.get(
        f"{USERS}/01900000-0000-7000-8000-000000000000", headers=client.headers
    )
    assert missing.status_code == 404
    assert hidden.json()["code"] == missing.json()["code"]
    own = await api.client.get(f"{USERS}/{client.user_id}", headers=client.headers)
    assert own.status_code == 200
    assert own.headers["etag"] == f'"{own.json()["version"]}"'
    assert (
        await api.client.delete(f"{USERS}/{other_id}", headers=client.headers)
    ).status_code == 404


async def test_who_may_create_whom(api: Api) -> None:
    admin = await api.session(Role.ADMIN)
    manager = await api.session(Role.MANAGER)
    client = await api.session(Role.CLIENT)
    made = await api.client.post(USERS, headers=admin.headers, json=_new_user("admin"))
    assert made.status_code == 201, made.text
    assert made.json()["role"] == "admin"
    assert made.headers["location"] == f"{USERS}/{made.json()['id']}"
    refused = await api.client.post(USERS, headers=manager.headers, json=_new_user("admin"))
    assert refused.status_code == 403
    tech = await api.client.post(USERS, headers=manager.headers, json=_new_user("technician"))
    assert tech.status_code == 201
    assert (
        await api.client.post(USERS, headers=client.headers, json=_new_user("client"))
    ).status_code == 403
    dup = await api.client.post(
        USERS, headers=admin.headers, json={**_new_user("client"), "email": client.email}
    )
    assert dup.status_code == 409
    weak = await api.client.post(
        USERS, headers=admin.headers, json={**_new_user("client"), "password": "short"}
    )
    assert weak.status_code == 422


async def test_patch_honours_if_match_and_returns_etag(api: Api) -> None:
    admin = await api.session(Role.ADMIN)
    user_id, _ = await api.create_user(Role.CLIENT)
    current = await api.client.get(f"{USERS}/{user_id}", headers=admin.headers)
    etag = current.headers["etag"]
    stale = await api.client.patch(
        f"{USERS}/{user_id}",
        headers={**admin.headers, "If-Match": '"999"'},
        json={"first_name": "Stale"},
    )
    assert stale.status_code == 412
    unchanged = await api.client.get(f"{USERS}/{user_id}", headers=admin.headers)
    assert unchanged.json()["first_name"] != "Stale"
    done = await api.client.patch(
        f"{USERS}/{user_id}",
        headers={**admin.headers, "If-Match": etag},
        json={"first_name": "Fresh"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["first_name"] == "Fresh"
    assert done.headers["etag"] == f'"{done.json()["version"]}"'
    assert done.headers["etag"] != etag


async def test_self_service_cannot_touch_server_owned_fields(api: Api) -> None:
    client = await api.session(Role.CLIENT)
    renamed = await api.client.patch(
        f"{USERS}/{client.user_id}",
        headers=client.headers,
        json={"first_name": "Me", "id": "01900000-0000-7000-8000-000000000000", "version": 77},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["id"] == client.user_id
    assert renamed.json()["version"] != 77
    promote = await api.client.patch(
        f"{USERS}/{client.user_id}", headers=client.headers, json={"role": "admin"}
    )
    assert promote.status_code in (403, 422)
    activate = await api.client.patch(
        f"{USERS}/{client.user_id}", headers=client.headers, json={"is_active": False}
    )
    assert activate.status_code in (403, 422)
    me = (await api.client.get(ME, headers=client.headers)).json()
    assert me["role"] == "client"
    assert me["is_active"] is True


async def test_role_change_and_deactivation_kill_tokens(api: Api) -> None:
    admin = await api.session(Role.ADMIN)
    promoted = await api.session(Role.TECHNICIAN)
    removed = await api.session(Role.CLIENT)
    assert (await api.client.get(ME, headers=promoted.headers)).status_code == 200
    assert (await api.client.get(ME, headers=removed.headers)).status_code == 200
    changed = await api.client.patch(
        f"{USERS}/{promoted.user_id}", headers=admin.headers, json={"role": "manager"}
    )
    assert changed.status_code == 200
    assert changed.json()["role"] == "manager"
    assert (await api.client.get(ME, headers=promoted.headers)).status_code == 401
    stale = await api.client.delete(
        f"{USERS}/{removed.user_id}", headers={**admin.headers, "If-Match": '"999"'}
    )
    assert stale.status_code == 412
    assert (await api.client.get(ME, headers=removed.headers)).status_code == 200
    gone = await api.client.delete(f"{USERS}/{removed.user_id}", headers=admin.headers)
    assert gone.status_code == 204
    assert gone.headers["etag"].strip('"').isdigit()
    assert (await api.client.get(ME, headers=removed.headers)).status_code == 401
    refresh = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": removed.refresh})
    assert refresh.status_code == 401
    assert (await api.login(removed.email)).status_code == 401
    shown = await api.client.get(f"{USERS}/{removed.user_id}", headers=admin.headers)
    assert shown.json()["is_active"] is False


async def test_preferences_get_and_put(api: Api) -> None:
    user = await api.session(Role.TECHNICIAN)
    path = f"{USERS}/me/preferences"
    empty = await api.client.get(path, headers=user.headers)
    assert empty.status_code == 200
    assert empty.json()["favorite_namespaces"] == []
    body = {
        "favorite_namespaces": ["community"],
        "favorite_collections": ["community.general"],
        "favorite_modules": ["community.general.ufw"],
        "settings": {"theme": "dark"},
        "version": 1000,
    }
    saved = await api.client.put(path, headers=user.headers, json=body)
    assert saved.status_code == 200, saved.text
    assert saved.json()["favorite_collections"] == ["community.general"]
    assert saved.json()["version"] != 1000
    etag = saved.headers["etag"]
    again = await api.client.get(path, headers=user.headers)
    assert again.json()["settings"] == {"theme": "dark"}
    assert again.headers["etag"] == etag
    stale = await api.client.put(path, headers={**user.headers, "If-Match": '"999"'}, json=body)
    assert stale.status_code == 412
    other = await api.session(Role.CLIENT)
    assert (await api.client.get(path, headers=other.headers)).json()["favorite_namespaces"] == []
    assert (await api.client.get(path)).status_code == 401
