"""Contract of the PasswordHasher port, on the bcrypt + HMAC-pepper adapter."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from adapters.security.bcrypt_hasher import BcryptPasswordHasher
from application.shared.security import PasswordHasher

PEPPER = secrets.token_bytes(32)


@pytest.fixture
def hasher() -> PasswordHasher:
    return BcryptPasswordHasher(PEPPER, rounds=4)


async def test_roundtrip(hasher: PasswordHasher) -> None:
    hashed = await hasher.hash("correct horse battery staple")
    assert hashed.startswith("$2b$04$")
    assert "correct horse" not in hashed
    assert await hasher.verify("correct horse battery staple", hashed) is True


async def test_wrong_password_is_refused(hasher: PasswordHasher) -> None:
    hashed = await hasher.hash("correct horse battery staple")
    assert await hasher.verify("correct horse battery stapler", hashed) is False
    assert await hasher.verify("", hashed) is False


async def test_same_password_gets_a_fresh_salt(hasher: PasswordHasher) -> None:
    first, second = await hasher.hash("same"), await hasher.hash("same")
    assert first != second
    assert await hasher.verify("same", first)
    assert await hasher.verify("same", second)


async def test_passwords_longer_than_72_bytes_are_not_truncated(hasher: PasswordHasher) -> None:
    common = "a" * 72
    hashed = await hasher.hash(common + "X")
    assert await hasher.verify(common + "X", hashed) is True
    assert await hasher.verify(common + "Y", hashed) is False
    assert await hasher.verify(common, hashed) is False


async def test_very_long_password_roundtrips(hasher: PasswordHasher) -> None:
    password = secrets.token_urlsafe(3000)
    hashed = await hasher.hash(password)
    assert await hasher.verify(password, hashed) is True
    assert await hasher.verify(password[:-1], hashed) is False


@pytest.mark.parametrize(
    ("password", "other"),
    [
        ("pässwörd-日本語-🔐", "passwörd-日本語-🔐"),
        ("é" * 40 + "1", "é" * 40 + "2"),  # multi-byte chars past byte 72
        ("abc\x00def", "abc\x00xyz"),  # a NUL byte does not end the password
    ],
)
async def test_unicode_and_nul_passwords(hasher: PasswordHasher, password: str, other: str) -> None:
    hashed = await hasher.hash(password)
    assert await hasher.verify(password, hashed) is True
    assert await hasher.verify(other, hashed) is False


async def test_a_different_pepper_does_not_verify(hasher: PasswordHasher) -> None:
    hashed = await hasher.hash("correct horse battery staple")
    other = BcryptPasswordHasher(secrets.token_bytes(32), rounds=4)
    assert await other.verify("correct horse battery staple", hashed) is False


async def test_needs_rehash_when_the_stored_cost_is_lower() -> None:
    weak = BcryptPasswordHasher(PEPPER, rounds=4)
    strong = BcryptPasswordHasher(PEPPER, rounds=5)
    weak_hash = await weak.hash("pw")
    strong_hash = await strong.hash("pw")
    assert weak.needs_rehash(weak_hash) is False
    assert strong.needs_rehash(weak_hash) is True
    assert weak.needs_rehash(strong_hash) is False
    assert strong.needs_rehash(strong_hash) is False
    assert await strong.verify("pw", weak_hash) is True  # still verifies, then gets upgraded
    assert weak.needs_rehash("not-a-hash") is True


async def test_hashing_does_not_block_the_event_loop() -> None:
    hasher = BcryptPasswordHasher(PEPPER, rounds=12)
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = ticks
    hashed = await hasher.hash("correct horse battery staple")
    during = ticks - before
    stop.set()
    await task
    assert hashed.startswith("$2b$12$")
    assert during >= 5, f"the event loop was blocked while hashing ({during} ticks)"


async def test_verifying_does_not_block_the_event_loop() -> None:
    hashed = await BcryptPasswordHasher(PEPPER, rounds=12).hash("pw")
    hasher = BcryptPasswordHasher(PEPPER, rounds=12)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = ticks
    assert await hasher.verify("pw", hashed) is True
    during = ticks - before
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert during >= 5, f"the event loop was blocked while verifying ({during} ticks)"


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "not-a-hash",
        "$2b$04$short",
        "$2b$04$" + "!" * 53,
        "$2b$04$" + "é" * 53,
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        "$2b$99$" + "a" * 53,
    ],
)
async def test_malformed_hash_verifies_false(hasher: PasswordHasher, malformed: str) -> None:
    assert await hasher.verify("anything", malformed) is False


async def test_truncated_real_hash_verifies_false(hasher: PasswordHasher) -> None:
    hashed = await hasher.hash("pw")
    assert await hasher.verify("pw", hashed[:-1]) is False


@pytest.mark.parametrize("rounds", [3, 32, 0, -1])
def test_rounds_out_of_range_are_refused(rounds: int) -> None:
    with pytest.raises(ValueError, match="rounds"):
        BcryptPasswordHasher(PEPPER, rounds=rounds)


def test_empty_pepper_is_refused() -> None:
    with pytest.raises(ValueError, match="pepper"):
        BcryptPasswordHasher(b"", rounds=4)
