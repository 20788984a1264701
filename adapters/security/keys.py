"""Secret hygiene: strength checks for configured secrets, and key loading for JWT."""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

_HINT = "e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`"
_MIN_DISTINCT = 10
_PLACEHOLDERS = (
    "changeme",
    "change-me",
    "change_me",
    "secret",
    "password",
    "default",
    "example",
    "placeholder",
    "insecure",
    "notsecure",
    "dev",
    "test",
    "qwerty",
    "123456",
    "abcdef",
    "xxxx",
    "todo",
)
_MIN_RSA_BITS = 2048


def generate_secret() -> str:
    """A fresh random secret (48 bytes of entropy, URL-safe text)."""
    return secrets.token_urlsafe(48)


def check_secret_strength(name: str, value: str | None, *, min_bytes: int = 32) -> None:
    """Refuse a missing, short, low-diversity or placeholder secret; the message names ``name``.

    The value itself is never echoed in the message.
    """
    need = f"need >= {min_bytes} bytes of entropy, {_HINT}"
    if value is None or not value.strip():
        raise ValueError(f"{name} is missing ({need})")
    if len(value.encode("utf-8")) < min_bytes:
        raise ValueError(f"{name} is too short ({need})")
    if len(set(value)) < _MIN_DISTINCT:
        raise ValueError(f"{name} is too repetitive / has too few distinct characters ({need})")
    lowered = value.lower()
    if any(word in lowered for word in _PLACEHOLDERS):
        # A placeholder padded to length ("changemechangeme...", "my-secret-key-123...")
        # is still a placeholder: what is left without the known words must be substantial.
        rest = "".join(ch for ch in lowered if ch.isalnum())
        for word in _PLACEHOLDERS:
            rest = rest.replace(word, "")
        if len(rest) < min_bytes or len(set(rest)) < _MIN_DISTINCT:
            raise ValueError(f"{name} looks like a placeholder value ({need})")


def load_private_key(
    pem: str | bytes, algorithm: str
) -> rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey:
    """Load a PEM private key and check that it fits ``algorithm`` (RS256 or EdDSA)."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    key = serialization.load_pem_private_key(data, password=None)
    if algorithm == "RS256" and isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < _MIN_RSA_BITS:
            raise ValueError(f"RS256 key must be at least {_MIN_RSA_BITS} bits")
        return key
    if algorithm == "EdDSA" and isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    raise ValueError(f"private key type does not match algorithm {algorithm}")


def load_public_key(
    pem: str | bytes, algorithm: str
) -> rsa.RSAPublicKey | ed25519.Ed25519PublicKey:
    """Load a PEM public key and check that it fits ``algorithm`` (RS256 or EdDSA)."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    key = serialization.load_pem_public_key(data)
    if algorithm == "RS256" and isinstance(key, rsa.RSAPublicKey):
        if key.key_size < _MIN_RSA_BITS:
            raise ValueError(f"RS256 key must be at least {_MIN_RSA_BITS} bits")
        return key
    if algorithm == "EdDSA" and isinstance(key, ed25519.Ed25519PublicKey):
        return key
    raise ValueError(f"public key type does not match algorithm {algorithm}")
