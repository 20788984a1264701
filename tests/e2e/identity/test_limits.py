"""Login lockout, per-route rate limits and their headers, trusted-proxy addresses."""

from __future__ import annotations

import pytest

from domain.shared.access import Role
from tests.e2e.identity.conftest import ApiFactory
from tests.e2e.identity.support import PASSWORD, unique_email

LOGIN = "/api/v1/auth/login"
WRONG = "wrong-password-for-sure"


async def test_lockout_after_five_failures_even_with_the_right_password(
    api_factory: ApiFactory,
) -> None:
    api = await api_factory()
    _, email = await api.create_user(Role.CLIENT)
    for _ in range(5):
        assert (await api.login(email, WRONG)).status_code == 401
    locked = await api.login(email, PASSWORD)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert locked.headers["content-type"].startswith("application/problem+json")


async def test_route_limits_carry_headers_and_answer_429(api_factory: ApiFactory) -> None:
    api = await api_factory(rate_limits=[])  # the built-in table: register 5/min
    for expected_remaining in (4, 3, 2, 1, 0):
        body = {"email": unique_email(), "password": PASSWORD, "first_name": "A", "last_name": "B"}
        answer = await api.client.post("/api/v1/auth/register", json=body)
        assert answer.status_code == 201
        assert answer.headers["ratelimit-limit"] == "5"
        assert answer.headers["ratelimit-remaining"] == str(expected_remaining)
        assert 0 < int(answer.headers["ratelimit-reset"]) <= 60
    body = {"email": unique_email(), "password": PASSWORD, "first_name": "A", "last_name": "B"}
    limited = await api.client.post("/api/v1/auth/register", json=body)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert limited.headers["ratelimit-limit"] == "5"
    assert limited.headers["ratelimit-remaining"] == "0"
    assert "ratelimit-reset" in limited.headers
    # other routes have their own bucket (default 300/min)
    other = await api.client.get("/api/v1/auth/me")
    assert other.status_code == 401
    assert other.headers["ratelimit-limit"] == "300"


async def test_login_and_reset_limits_from_the_table(api_factory: ApiFactory) -> None:
    api = await api_factory(rate_limits=[])
    for _ in range(3):
        reset = await api.client.post("/api/v1/auth/password-reset", json={"email": unique_email()})
        assert reset.status_code == 202
    assert (
        await api.client.post("/api/v1/auth/password-reset", json={"email": unique_email()})
    ).status_code == 429
    # login: sized for a site behind one address (failures are bounded by the throttle)
    answer = await api.login(unique_email(), WRONG)
    assert answer.status_code == 401
    assert answer.headers["ratelimit-limit"] == "300"


@pytest.mark.slow
async def test_twenty_people_behind_one_address_all_log_in(api_factory: ApiFactory) -> None:
    api = await api_factory(rate_limits=[])  # the built-in table, one client address
    emails = [(await api.create_user(Role.TECHNICIAN))[1] for _ in range(20)]
    answers = [await api.login(email) for email in emails]
    assert [a.status_code for a in answers] == [200] * 20
    assert all(int(a.headers["ratelimit-remaining"]) > 0 for a in answers)


@pytest.mark.slow
async def test_repeated_failures_from_one_address_end_in_429(api_factory: ApiFactory) -> None:
    api = await api_factory(rate_limits=[])  # default: 50 failures in 15 minutes
    _, email = await api.create_user(Role.CLIENT)
    for _ in range(50):  # spraying: each try on another account, none reaches its lockout
        assert (await api.login(unique_email(), WRONG)).status_code == 401
    limited = await api.login(email)  # even a right password, from this address
    assert limited.status_code == 429
    assert limited.json()["code"] == "too_many_attempts"
    assert 0 < int(limited.headers["retry-after"]) <= 900


async def test_limits_key_on_the_user_and_can_be_configured(api_factory: ApiFactory) -> None:
    api = await api_factory(rate_limits=["default=2/minute"])
    alice = await api.session(Role.CLIENT)
    bob = await api.session(Role.CLIENT)
    for _ in range(2):
        assert (await api.client.get("/api/v1/auth/me", headers=alice.headers)).status_code == 200
    assert (await api.client.get("/api/v1/auth/me", headers=alice.headers)).status_code == 429
    assert (await api.client.get("/api/v1/auth/me", headers=bob.headers)).status_code == 200


async def test_limits_can_be_disabled(api_factory: ApiFactory) -> None:
    api = await api_factory(rate_limits=["register=1/m"], rate_limit_enabled=False)
    for _ in range(3):
        body = {"email": unique_email(), "password": PASSWORD, "first_name": "A", "last_name": "B"}
        answer = await api.client.post("/api/v1/auth/register", json=body)
        assert answer.status_code == 201
        assert "ratelimit-limit" not in answer.headers


async def test_forwarded_for_is_ignored_from_an_untrusted_peer(api_factory: ApiFactory) -> None:
    api = await api_factory(peer="198.51.100.7", trusted_proxies=["10.0.0.0/8"])
    _, email = await api.create_user(Role.CLIENT)
    for n in range(5):
        spoofed = {"X-Forwarded-For": f"192.0.2.{n}", "Forwarded": f"for=192.0.2.{n}"}
        answer = await api.client.post(
            LOGIN, json={"email": email, "password": WRONG}, headers=spoofed
        )
        assert answer.status_code == 401
    fresh_header = {"X-Forwarded-For": "192.0.2.200"}
    locked = await api.client.post(
        LOGIN, json={"email": email, "password": PASSWORD}, headers=fresh_header
    )
    assert locked.status_code == 429


async def test_forwarded_for_is_used_from_a_trusted_proxy(api_factory: ApiFactory) -> None:
    api = await api_factory(peer="10.1.2.3", trusted_proxies=["10.0.0.0/8", "::1"])
    _, email = await api.create_user(Role.CLIENT)
    for _ in range(5):
        # the left-most entry is client-supplied junk; the proxy appended the real address
        headers = {"X-Forwarded-For": "6.6.6.6, 192.0.2.10, 10.9.9.9"}
        answer = await api.client.post(
            LOGIN, json={"email": email, "password": WRONG}, headers=headers
        )
        assert answer.status_code == 401
    same = await api.client.post(
        LOGIN,
        json={"email": email, "password": PASSWORD},
        headers={"X-Forwarded-For": "192.0.2.10"},
    )
    assert same.status_code == 429
    other = await api.client.post(
        LOGIN,
        json={"email": email, "password": PASSWORD},
        headers={"Forwarded": 'for="192.0.2.11";proto=https'},
    )
    assert other.status_code == 200
