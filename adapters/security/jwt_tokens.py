"""Signed JWTs (pyjwt): HS256 by default, RS256 and EdDSA with ``kid`` key rotation.

Hardening: the algorithm is pinned by configuration (the header's ``alg`` is only compared to
it, never obeyed), the ``kid`` selects among configured keys only, every registered claim is
required, the token type travels in a ``typ`` claim, times come from the injected Clock with a
small bounded leeway, oversized tokens are refused, and every failure is the same generic
``Unauthenticated`` (``invalid_token`` or ``token_expired``) that reveals nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from adapters.security.keys import load_private_key, load_public_key
from application.shared.clock import Clock
from application.shared.security import IssuedToken, TokenClaims, TokenService
from domain.shared.errors import Unauthenticated

SUPPORTED_ALGORITHMS: Final = ("HS256", "RS256", "EdDSA")
MAX_LEEWAY_SECONDS: Final = 30
MAX_TOKEN_LENGTH: Final = 8 * 1024
MIN_HMAC_KEY_BYTES: Final = 32
REGISTERED_CLAIMS: Final = frozenset({"iss", "aud", "sub", "iat", "nbf", "exp", "jti", "typ"})
_REQUIRED: Final = ["exp", "iat", "nbf", "sub", "aud", "iss", "jti", "typ"]

_SigningKey = bytes | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
_VerifyKey = bytes | rsa.RSAPublicKey | ed25519.Ed25519PublicKey


@dataclass(frozen=True, slots=True, kw_only=True)
class JwtConfig:
    """Token settings. For HS256 keys are shared secrets (>= 32 bytes); for RS256/EdDSA
    ``signing_key`` is a private PEM and ``verification_keys`` maps kid -> public PEM (the
    active key's public half is derived, do not list it)."""

    issuer: str
    audience: str
    algorithm: str = "HS256"
    signing_key: str | bytes = field(repr=False)
    key_id: str = "k1"
    verification_keys: Mapping[str, str | bytes] = field(default_factory=dict, repr=False)
    leeway_seconds: int = 10


def _invalid() -> Unauthenticated:
    return Unauthenticated("The token is invalid.", code="invalid_token")


def _expired() -> Unauthenticated:
    return Unauthenticated("The token has expired.", code="token_expired")


def _secret_bytes(value: str | bytes, what: str) -> bytes:
    raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    if len(raw) < MIN_HMAC_KEY_BYTES:
        raise ValueError(f"{what} must be at least {MIN_HMAC_KEY_BYTES} bytes for HS256")
    return raw


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_claim(payload: Mapping[str, object], name: str) -> int:
    value = payload.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _invalid()
    return value


class JwtTokenService(TokenService):
    def __init__(self, config: JwtConfig, clock: Clock) -> None:
        if config.algorithm not in SUPPORTED_ALGORITHMS:
            raise ValueError(f"unsupported JWT algorithm; use one of {SUPPORTED_ALGORITHMS}")
        if not _is_int(config.leeway_seconds) or not (
            0 <= config.leeway_seconds <= MAX_LEEWAY_SECONDS
        ):
            raise ValueError(f"JWT leeway must be between 0 and {MAX_LEEWAY_SECONDS} seconds")
        if not config.issuer or not config.audience:
            raise ValueError("JWT issuer and audience must be non-empty")
        if not config.key_id:
            raise ValueError("JWT key_id must be non-empty")
        if config.key_id in config.verification_keys:
            raise ValueError("the active key_id must not also be listed as a verification key")
        self._alg = config.algorithm
        self._issuer = config.issuer
        self._audience = config.audience
        self._kid = config.key_id
        self._leeway = config.leeway_seconds
        self._clock = clock
        self._signing_key, self._keys = self._load_keys(config)

    @classmethod
    def from_secret(
        cls,
        secret: str,
        *,
        issuer: str,
        audience: str,
        clock: Clock,
        leeway_seconds: int = 10,
        key_id: str = "k1",
    ) -> JwtTokenService:
        """An HS256 service with one shared secret."""
        config = JwtConfig(
            issuer=issuer,
            audience=audience,
            signing_key=secret,
            key_id=key_id,
            leeway_seconds=leeway_seconds,
        )
        return cls(config, clock)

    @staticmethod
    def _load_keys(config: JwtConfig) -> tuple[_SigningKey, dict[str, _VerifyKey]]:
        keys: dict[str, _VerifyKey] = {}
        if config.algorithm == "HS256":
            secret = _secret_bytes(config.signing_key, "signing_key")
            keys[config.key_id] = secret
            for kid, value in config.verification_keys.items():
                keys[kid] = _secret_bytes(value, f"verification key {kid!r}")
            return secret, keys
        private = load_private_key(config.signing_key, config.algorithm)
        keys[config.key_id] = private.public_key()
        for kid, value in config.verification_keys.items():
            keys[kid] = load_public_key(value, config.algorithm)
        return private, keys

    @property
    def algorithm(self) -> str:
        return self._alg

    @property
    def key_id(self) -> str:
        return self._kid

    def issue(
        self,
        subject: str,
        *,
        token_type: str,
        ttl_seconds: int,
        extra: Mapping[str, object] | None = None,
    ) -> IssuedToken:
        if not isinstance(subject, str) or not subject:
            raise ValueError("token subject must be a non-empty string")
        if not isinstance(token_type, str) or not token_type:
            raise ValueError("token_type must be a non-empty string")
        if not _is_int(ttl_seconds) or ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be a positive integer")
        extra_claims = dict(extra or {})
        clash = REGISTERED_CLAIMS.intersection(extra_claims)
        if clash:
            raise ValueError(f"extra claims must not override registered claims: {sorted(clash)}")
        issued_at = int(self._clock.now().timestamp())
        expires_at = issued_at + ttl_seconds
        jti = secrets.token_urlsafe(16)
        payload: dict[str, Any] = {
            **extra_claims,
            "iss": self._issuer,
            "aud": self._audience,
            "sub": subject,
            "typ": token_type,
            "jti": jti,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": expires_at,
        }
        token = jwt.encode(
            payload, self._signing_key, algorithm=self._alg, headers={"kid": self._kid}
        )
        claims = TokenClaims(
            subject=subject,
            token_type=token_type,
            jti=jti,
            issued_at=datetime.fromtimestamp(issued_at, UTC),
            expires_at=datetime.fromtimestamp(expires_at, UTC),
            extra=extra_claims,
        )
        return IssuedToken(token=token, claims=claims)

    def verify(self, token: str, *, token_type: str) -> TokenClaims:
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            raise _invalid()
        payload = self._decode(token)
        if payload.get("typ") != token_type:
            raise _invalid()
        subject, jti = payload.get("sub"), payload.get("jti")
        if not isinstance(subject, str) or not subject or not isinstance(jti, str) or not jti:
            raise _invalid()
        exp = _int_claim(payload, "exp")
        nbf = _int_claim(payload, "nbf")
        iat = _int_claim(payload, "iat")
        if exp <= iat:
            raise _invalid()
        now = self._clock.now().timestamp()
        if nbf > now + self._leeway or iat > now + self._leeway:
            raise _invalid()
        if exp <= now - self._leeway:
            raise _expired()
        return TokenClaims(
            subject=subject,
            token_type=token_type,
            jti=jti,
            issued_at=datetime.fromtimestamp(iat, UTC),
            expires_at=datetime.fromtimestamp(exp, UTC),
            extra={k: v for k, v in payload.items() if k not in REGISTERED_CLAIMS},
        )

    def _decode(self, token: str) -> dict[str, Any]:
        """Signature, pinned algorithm, kid, aud, iss and presence of claims (pyjwt)."""
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, ValueError, TypeError):
            raise _invalid() from None
        kid = header.get("kid")
        if header.get("alg") != self._alg or "crit" in header or not isinstance(kid, str):
            raise _invalid()
        key = self._keys.get(kid)
        if key is None:
            raise _invalid()
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[self._alg],
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "require": _REQUIRED,
                    "strict_aud": True,
                    # Times are checked against the injected Clock by the caller.
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            raise _invalid() from None
        if not isinstance(payload, dict):
            raise _invalid()
        return payload
