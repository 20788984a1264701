"""Forged, expired, misdirected and misused tokens are all 401 with a Bearer challenge."""

from __future__ import annotations

import base64
import json
import time
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
async def session(api: Api) -> Session:
    return await api.session(Role.ADMIN)


async def test_a_genuine_token_and_a_resigned_copy_work(api: Api, session: Session) -> None:
    # the forging helper is right: the same claims signed with the real key are accepted
    assert (await api.client.get(ME, headers=session.headers)).status_code == 200
    assert (
        await api.client.get(ME, headers=bearer(_sign(_claims(session.access))))
    ).status_code == 200


async def test_alg_none_is_refused(api: Api, session: Session) -> None:
    header = _b64({"alg": "none", "typ": "JWT", "kid": "k1"})
    await _refused(api, f"{header}.{_b64(_claims(session.access))}.")


async def test_tampered_payload_is_refused(api: Api, session: Session) -> None:
    header, _, signature = session.access.split(".")
    claims = {
        **_claims(session.access),
        "role": "admin",
        "sub": "01000000-0000-7000-8000-000000000000",
    }
    await _refused(api, f"{header}.{_b64(claims)}.{signature}")


async def test_wrong_key_is_refused(api: Api, session: Session) -> None:
    await _refused(api, _sign(_claims(session.access), key="another-secret-" * 4))


async def test_expired_token_is_refused(api: Api, session: Session) -> None:
    past = int(time.time()) - 3600
    claims = {**_claims(session.access), "iat": past - 900, "nbf": past - 900, "exp": past}
    claims.pop("iat_ms", None)
    await _refused(api, _sign(claims))


async def test_missing_exp_is_refused(api: Api, session: Session) -> None:
    claims = _claims(session.access)
    del claims["exp"]
    await _refused(api, _sign(claims))


@pytest.mark.parametrize(("claim", "value"), [("aud", "someone-else"), ("iss", "evil")])
async def test_wrong_audience_or_issuer_is_refused(
    api: Api, session: Session, claim: str, value: str
) -> None:
    await _refused(api, _sign({**_claims(session.access), claim: value}))


async def test_unknown_kid_is_refused(api: Api, session: Session) -> None:
    await _refused(api, _sign(_claims(session.access), kid="k9"))


async def test_refresh_token_is_not_an_access_token(api: Api, session: Session) -> None:
    await _refused(api, session.refresh)
    await _refused(api, _sign({**_claims(session.access), "typ": "refresh"}))


async def test_access_token_is_not_a_refresh_token(api: Api, session: Session) -> None:
    answer = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": session.access})
    assert answer.status_code == 401
    assert (await api.client.get(ME, headers=session.headers)).status_code == 200
