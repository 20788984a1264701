"""Contract of the TokenService port on the pyjwt adapter, for HS256, RS256 and EdDSA.

Each attack is crafted with pyjwt (or by hand) and must end in ``Unauthenticated``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from adapters.clock import FixedClock
from adapters.security.jwt_tokens import JwtConfig, JwtTokenService
from domain.shared.errors import Unauthenticated

ISSUER = "atelier-test"
AUDIENCE = "atelier-api"
LEEWAY = 10
START = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
GENERIC_DETAILS = {"The token is invalid.", "The token has expired."}


@dataclass(frozen=True)
class KeyPair:
    signing: str  # HS256 secret or private PEM
    verifying: str  # HS256 secret or public PEM


def _new_keypair(alg: str) -> KeyPair:
    if alg == "HS256":
        secret = secrets.token_urlsafe(48)
        return KeyPair(secret, secret)
    private = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if alg == "RS256"
        else ed25519.Ed25519PrivateKey.generate()
    )
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return KeyPair(private_pem, public_pem)


_KEYS: dict[str, dict[str, KeyPair]] = {}


def keys_for(alg: str) -> dict[str, KeyPair]:
    """Three key pairs per algorithm (k0 = old, k1 = active, k2 = foreign), made once."""
    if alg not in _KEYS:
        _KEYS[alg] = {kid: _new_keypair(alg) for kid in ("k0", "k1", "k2")}
    return _KEYS[alg]


@pytest.fixture(params=["HS256", "RS256", "EdDSA"])
def alg(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


ServiceFactory = Callable[..., JwtTokenService]


@pytest.fixture
def make_service(alg: str, clock: FixedClock) -> ServiceFactory:
    def factory(
        active: str = "k1", verification: tuple[str, ...] = (), leeway: int = LEEWAY
    ) -> JwtTokenService:
        keys = keys_for(alg)
        config = JwtConfig(
            issuer=ISSUER,
            audience=AUDIENCE,
            algorithm=alg,
            signing_key=keys[active].signing,
            key_id=active,
            verification_keys={kid: keys[kid].verifying for kid in verification},
            leeway_seconds=leeway,
        )
        return JwtTokenService(config, clock)

    return factory


@pytest.fixture
def service(make_service: ServiceFactory) -> JwtTokenService:
    return make_service()


def good_claims(clock: FixedClock, **changes: Any) -> dict[str, Any]:
    now = int(clock.now().timestamp())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-1",
        "typ": "access",
        "jti": secrets.token_hex(8),
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def craft(alg: str, claims: Mapping[str, Any], *, kid: str | None = "k1", key: str = "") -> str:
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(dict(claims), key or keys_for(alg)["k1"].signing, alg, headers=headers)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def assert_refused(service: JwtTokenService, token: str, *, code: str = "invalid_token") -> None:
    with pytest.raises(Unauthenticated) as caught:
        service.verify(token, token_type="access")
    assert caught.value.code == code
    assert caught.value.detail in GENERIC_DETAILS


# --- the happy path ---------------------------------------------------------------------


def test_roundtrip(alg: str, service: JwtTokenService, clock: FixedClock) -> None:
    issued = service.issue("user-1", token_type="access", ttl_seconds=900, extra={"role": "admin"})
    claims = service.verify(issued.token, token_type="access")
    assert claims == issued.claims
    assert claims.subject == "user-1"
    assert claims.token_type == "access"
    assert claims.extra == {"role": "admin"}
    assert claims.issued_at == START
    assert (claims.expires_at - claims.issued_at).total_seconds() == 900
    header = jwt.get_unverified_header(issued.token)
    assert header["alg"] == alg
    assert header["kid"] == "k1"


def test_each_token_gets_a_unique_jti(service: JwtTokenService) -> None:
    jtis = {service.issue("u", token_type="access", ttl_seconds=60).claims.jti for _ in range(20)}
    assert len(jtis) == 20


def test_extra_claims_cannot_override_registered_ones(service: JwtTokenService) -> None:
    for claim in ("sub", "exp", "aud", "iss", "typ", "jti"):
        with pytest.raises(ValueError, match="registered"):
            service.issue("u", token_type="access", ttl_seconds=60, extra={claim: "x"})


# --- forged and altered tokens ----------------------------------------------------------


def test_alg_none_is_refused(alg: str, service: JwtTokenService, clock: FixedClock) -> None:
    unsigned = jwt.encode(good_claims(clock), "", algorithm="none", headers={"kid": "k1"})
    assert_refused(service, unsigned)
    # The pinned alg in the header with the signature stripped is refused too.
    header, payload, _ = service.issue("u", token_type="access", ttl_seconds=60).token.split(".")
    assert_refused(service, f"{header}.{payload}.")


def test_tampered_payload_is_refused(service: JwtTokenService) -> None:
    header, payload, signature = service.issue(
        "u", token_type="access", ttl_seconds=60
    ).token.split(".")
    claims = json.loads(unb64(payload))
    claims["sub"] = "admin"
    forged = b64(json.dumps(claims, separators=(",", ":")).encode())
    assert_refused(service, f"{header}.{forged}.{signature}")


def test_tampered_signature_is_refused(service: JwtTokenService) -> None:
    header, payload, signature = service.issue(
        "u", token_type="access", ttl_seconds=60
    ).token.split(".")
    raw = bytearray(unb64(signature))
    raw[len(raw) // 2] ^= 0x01
    assert_refused(service, f"{header}.{payload}.{b64(bytes(raw))}")


def test_token_signed_with_a_foreign_key_under_a_known_kid_is_refused(
    alg: str, service: JwtTokenService, clock: FixedClock
) -> None:
    assert_refused(service, craft(alg, good_claims(clock), key=keys_for(alg)["k2"].signing))


@pytest.mark.parametrize(
    "garbage", ["", "abc", "a.b.c", "a.b", "....", "eyJhbGciOiJIUzI1NiJ9.e30.", "x" * 9000]
)
def test_garbage_is_refused(service: JwtTokenService, garbage: str) -> None:
    assert_refused(service, garbage)


def test_oversized_token_is_refused(service: JwtTokenService) -> None:
    issued = service.issue("u", token_type="access", ttl_seconds=60, extra={"pad": "x" * 9000})
    assert len(issued.token) > 8 * 1024
    assert_refused(service, issued.token)


# --- time -------------------------------------------------------------------------------


def test_expired_token_is_refused_after_the_leeway(
    service: JwtTokenService, clock: FixedClock
) -> None:
    issued = service.issue("u", token_type="access", ttl_seconds=60)
    clock.advance(seconds=60 + LEEWAY - 1)
    assert service.verify(issued.token, token_type="access").subject == "u"
    clock.advance(seconds=1)
    assert_refused(service, issued.token, code="token_expired")


def test_not_yet_valid_token_is_refused(
    alg: str, service: JwtTokenService, clock: FixedClock
) -> None:
    start = int(clock.now().timestamp())
    token = craft(alg, good_claims(clock, nbf=start + 60, exp=start + 600))
    assert_refused(service, token)
    clock.advance(seconds=60 - LEEWAY)
    assert service.verify(token, token_type="access").subject == "user-1"


def test_token_issued_in_the_future_is_refused(
    alg: str, service: JwtTokenService, clock: FixedClock
) -> None:
    start = int(clock.now().timestamp())
    assert_refused(service, craft(alg, good_claims(clock, iat=start + 3600, exp=start + 7200)))


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf", "sub", "aud", "iss", "jti", "typ"])
def test_token_missing_a_required_claim_is_refused(
    alg: str, service: JwtTokenService, clock: FixedClock, claim: str
) -> None:
    claims = good_claims(clock)
    assert service.verify(craft(alg, claims), token_type="access").subject == "user-1"
    del claims[claim]
    assert_refused(service, craft(alg, claims))


@pytest.mark.parametrize("value", ["soon", 1.5e12, True, None, [1]])
def test_non_integer_exp_is_refused(
    alg: str, service: JwtTokenService, clock: FixedClock, value: object
) -> None:
    claims = good_claims(clock)
    claims["exp"] = value
    assert_refused(service, craft(alg, claims))


# --- audience, issuer, type -------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": "another-api"},
        {"aud": [AUDIENCE, "another-api"]},
        {"iss": "someone-else"},
        {"sub": ""},
        {"sub": 42},
    ],
)
def test_wrong_audience_issuer_or_subject_is_refused(
    alg: str, service: JwtTokenService, clock: FixedClock, changes: dict[str, Any]
) -> None:
    assert_refused(service, craft(alg, good_claims(clock, **changes)))


def test_token_of_another_type_is_refused(service: JwtTokenService) -> None:
    refresh = service.issue("u", token_type="refresh", ttl_seconds=60)
    assert_refused(service, refresh.token)
    assert service.verify(refresh.token, token_type="refresh").token_type == "refresh"
    access = service.issue("u", token_type="access", ttl_seconds=60)
    with pytest.raises(Unauthenticated):
        service.verify(access.token, token_type="refresh")


# --- keys and kid -----------------------------------------------------------------------


def test_unknown_or_missing_kid_is_refused(
    alg: str, service: JwtTokenService, clock: FixedClock
) -> None:
    assert_refused(service, craft(alg, good_claims(clock), kid="k9"))
    assert_refused(service, craft(alg, good_claims(clock), kid=None))


def test_kid_rotation(make_service: ServiceFactory) -> None:
    old = make_service(active="k0")
    token = old.issue("u", token_type="access", ttl_seconds=600).token

    rotated = make_service(active="k1", verification=("k0",))
    assert rotated.verify(token, token_type="access").subject == "u"
    new_token = rotated.issue("u", token_type="access", ttl_seconds=600).token
    assert jwt.get_unverified_header(new_token)["kid"] == "k1"
    assert rotated.verify(new_token, token_type="access").subject == "u"
    assert_refused(old, new_token)  # the old service has never heard of k1

    retired = make_service(active="k1")
    assert_refused(retired, token)
    assert retired.verify(new_token, token_type="access").subject == "u"


def test_token_signed_with_another_algorithm_is_refused(
    alg: str, service: JwtTokenService, clock: FixedClock
) -> None:
    for other in {"HS256", "RS256", "EdDSA"} - {alg}:
        assert_refused(service, craft(other, good_claims(clock), key=keys_for(other)["k1"].signing))


@pytest.mark.parametrize("asym", ["RS256", "EdDSA"])
def test_algorithm_confusion_public_key_as_hmac_secret(asym: str, clock: FixedClock) -> None:
    """An attacker signs HS256 with the (public) verification key as the HMAC secret."""
    keys = keys_for(asym)
    service = JwtTokenService(
        JwtConfig(
            issuer=ISSUER,
            audience=AUDIENCE,
            algorithm=asym,
            signing_key=keys["k1"].signing,
            verification_keys={"k0": keys["k0"].verifying},
        ),
        clock,
    )
    for kid in ("k1", "k0"):
        header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
        payload = b64(json.dumps(good_claims(clock)).encode())
        signing_input = f"{header}.{payload}".encode()
        for secret in (keys[kid].verifying.encode(), keys[kid].verifying.strip().encode()):
            mac = hmac.new(secret, signing_input, hashlib.sha256).digest()
            assert_refused(service, f"{header}.{payload}.{b64(mac)}")


# --- configuration ----------------------------------------------------------------------


@pytest.mark.parametrize("leeway", [31, 60, -1])
def test_leeway_outside_0_to_30_is_refused(make_service: ServiceFactory, leeway: int) -> None:
    with pytest.raises(ValueError, match="leeway"):
        make_service(leeway=leeway)


def test_leeway_of_30_is_accepted(make_service: ServiceFactory) -> None:
    assert (
        make_service(leeway=30)
        .verify(
            make_service(leeway=30).issue("u", token_type="access", ttl_seconds=5).token,
            token_type="access",
        )
        .subject
        == "u"
    )


def test_unsupported_algorithm_is_refused(clock: FixedClock) -> None:
    for alg in ("none", "HS512", "ES256", "hs256"):
        config = JwtConfig(
            issuer=ISSUER, audience=AUDIENCE, algorithm=alg, signing_key=secrets.token_urlsafe(48)
        )
        with pytest.raises(ValueError, match="algorithm"):
            JwtTokenService(config, clock)


def test_from_secret_builds_an_hs256_service(clock: FixedClock) -> None:
    service = JwtTokenService.from_secret(
        secrets.token_urlsafe(48), issuer=ISSUER, audience=AUDIENCE, clock=clock
    )
    token = service.issue("u", token_type="access", ttl_seconds=60).token
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "kid": "k1", "typ": "JWT"}
    assert service.verify(token, token_type="access").subject == "u"


def test_short_hmac_secret_is_refused(clock: FixedClock) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        JwtTokenService.from_secret("too-short", issuer=ISSUER, audience=AUDIENCE, clock=clock)


def test_key_of_the_wrong_type_is_refused(clock: FixedClock) -> None:
    config = JwtConfig(
        issuer=ISSUER,
        audience=AUDIENCE,
        algorithm="RS256",
        signing_key=keys_for("EdDSA")["k1"].signing,
    )
    with pytest.raises(ValueError, match="does not match"):
        JwtTokenService(config, clock)


def test_config_repr_hides_the_keys() -> None:
    secret = secrets.token_urlsafe(48)
    config = JwtConfig(issuer=ISSUER, audience=AUDIENCE, signing_key=secret)
    assert secret not in repr(config)
