"""Races that must have exactly one winner."""

from __future__ import annotations

import asyncio

from domain.shared.access import Role
from tests.e2e.identity.support import PASSWORD, Api, unique_email


async def test_two_refreshes_with_one_token_one_wins(api: Api) -> None:
    session = await api.session(Role.CLIENT)
    answers = await asyncio.gather(
        *(
            api.client.post("/api/v1/auth/refresh", json={"refresh_token": session.refresh})
            for _ in range(2)
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 401]


async def test_two_registrations_with_one_email_one_wins(api: Api) -> None:
    email = unique_email("race")
    body = {"email": email, "password": PASSWORD, "first_name": "R", "last_name": "C"}
    answers = await asyncio.gather(
        api.client.post("/api/v1/auth/register", json=body),
        api.client.post("/api/v1/auth/register", json={**body, "email": email.upper()}),
    )
    assert sorted(a.status_code for a in answers) == [201, 409]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json()["code"] == "email_taken"
