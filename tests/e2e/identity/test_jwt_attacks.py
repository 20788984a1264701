"""A refused token is a 401 problem with a Bearer challenge, and token types are not
interchangeable at the HTTP edge.

The attack matrix itself (alg none, foreign keys, expiry, audience, issuer, kid, algorithm
confusion...) is the token service's contract (``tests/contract/test_token_service.py``);
here one forged token shows the edge answers what the service decides, on one profile (the
answer does not depend on the adapters)."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest

from domain.shared.access import Role
from tests.e2e.identity.support import JWT_SECRET, Api, Session, bearer

ME = "/api/v1/auth/me"


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _sign(claims: dict[str, Any], *, key: str = JWT_SECRET, kid: str = "k1") -> str:
    return jwt.encode(claims, key, algorithm="HS256", headers={"kid": kid})


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def _refused(api: Api, token: str) -> None:
    answer = await api.client.get(ME, headers=bearer(token))
    assert answer.status_code == 401, answer.text
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.fixture
def profile() -> str:
    return "embedded"


@pytest.fixture
async def session(api: Api) -> Session:
    return await api.session(Role.ADMIN)


async def test_a_genuine_token_and_a_resigned_copy_work(api: Api, session: Session) -> None:
    # the forging helper is right: the same claims signed with the real key are accepted
    assert (await api.client.get(ME, headers=session.headers)).status_code == 200
    assert (
        await api.client.get(ME, headers=bearer(_sign(_claims(session.access))))
    ).status_code == 200


async def test_tampered_payload_is_refused(api: Api, session: Session) -> None:
    header, _, signature = session.access.split(".")
    claims = {
        **_claims(session.access),
        "role": "admin",
        "sub": "01000000-0000-7000-8000-000000000000",
    }
    await _refused(api, f"{header}.{_b64(claims)}.{signature}")


async def test_refresh_token_is_not_an_access_token(api: Api, session: Session) -> None:
    await _refused(api, session.refresh)
    await _refused(api, _sign({**_claims(session.access), "typ": "refresh"}))


async def test_access_token_is_not_a_refresh_token(api: Api, session: Session) -> None:
    answer = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": session.access})
    assert answer.status_code == 401
    assert (await api.client.get(ME, headers=session.headers)).status_code == 200
