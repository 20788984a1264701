"""Security adapters: JWT tokens, bcrypt password hashing, secret checks."""

from adapters.security.bcrypt_hasher import BcryptPasswordHasher
from adapters.security.jwt_tokens import JwtConfig, JwtTokenService
from adapters.security.keys import check_secret_strength, generate_secret

__all__ = [
    "BcryptPasswordHasher",
    "JwtConfig",
    "JwtTokenService",
    "check_secret_strength",
    "generate_secret",
]
