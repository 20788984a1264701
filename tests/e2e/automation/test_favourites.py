"""Favourites live in the user's preferences (identity owns them): a favourite naming a
Galaxy namespace, collection or module is kept exactly as given, on both profiles."""

from __future__ import annotations

from tests.e2e.automation.support import Desk

FAVOURITES = {
    "favorite_namespaces": ["community", "ansible", "Cisco_IOS", "ns_2026"],
    "favorite_collections": ["community.general", "amazon.aws", "kubernetes.core"],
    "favorite_modules": [
        "ansible.builtin.copy",
        "community.general.docker_container",
        "amazon.aws.ec2_instance",
        "ansible.windows.win_copy",
        "ping",
    ],
    "settings": {"galaxy": {"last_namespace": "community"}},
}


async def test_favourites_are_kept_as_given(desk: Desk) -> None:
    saved = await desk.ok(desk.client_user, "PUT", "/users/me/preferences", json=FAVOURITES)
    for field in ("favorite_namespaces", "favorite_collections", "favorite_modules"):
        assert saved[field] == FAVOURITES[field]
    again = await desk.ok(desk.client_user, "GET", "/users/me/preferences")
    for field in ("favorite_namespaces", "favorite_collections", "favorite_modules", "settings"):
        assert again[field] == FAVOURITES[field]
    theirs = await desk.ok(desk.other_client, "GET", "/users/me/preferences")
    assert theirs["favorite_modules"] == []
