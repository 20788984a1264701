"""Failed-login counters in the Cache: per (account, client address), per account, and per
client address.

Only failures count: 5 per account+address in 15 minutes and 100 per account in an hour lock
that account (API.md); ``login_address_limit`` failures from one address in its window
(50 in 15 minutes by default, any accounts: password spraying) refuse that address. A
successful login counts nowhere, so a site whose staff share one NAT address can all log in
at shift start. Checked before the password is verified, so a locked account costs no
hashing. Two attempts racing at the limit may both pass the check: the bound is approximate
by at most the number of concurrent requests, which the per-route rate limits keep small."""

from __future__ import annotations

from application.identity.policy import IdentityPolicy
from application.identity.tokens import hash_identifier
from application.shared.rate_limit import RateLimitDecision, RateLimiter

TOO_MANY = "too_many_attempts"


class LoginThrottle:
    def __init__(self, limiter: RateLimiter, policy: IdentityPolicy) -> None:
        self._limiter = limiter
        self._policy = policy

    @staticmethod
    def _pair_key(account: str, address: str | None) -> str:
        return f"login-fail:pair:{hash_identifier(account)}:{address or '-'}"

    @staticmethod
    def _account_key(account: str) -> str:
        return f"login-fail:account:{hash_identifier(account)}"

    @staticmethod
    def _address_key(address: str | None) -> str:
        return f"login-fail:address:{address or '-'}"

    async def check(self, account: str, address: str | None) -> None:
        """``RateLimited(code="too_many_attempts")`` while any counter is full."""
        p = self._policy
        by_address = await self._limiter.peek(
            self._address_key(address), p.login_address_limit, p.login_address_window_seconds
        )
        by_address.raise_if_denied(TOO_MANY)
        pair = await self._limiter.peek(
            self._pair_key(account, address), p.login_pair_limit, p.login_pair_window_seconds
        )
        pair.raise_if_denied(TOO_MANY)
        whole = await self._limiter.peek(
            self._account_key(account), p.login_account_limit, p.login_account_window_seconds
        )
        whole.raise_if_denied(TOO_MANY)

    async def failed(self, account: str, address: str | None) -> bool:
        """Count a failure; True when it filled an account counter (the account is now
        locked; a full address counter refuses the address, it locks no account)."""
        p = self._policy
        await self._limiter.hit(
            self._address_key(address), p.login_address_limit, p.login_address_window_seconds
        )
        decisions: list[RateLimitDecision] = [
            await self._limiter.hit(
                self._pair_key(account, address), p.login_pair_limit, p.login_pair_window_seconds
            ),
            await self._limiter.hit(
                self._account_key(account),
                p.login_account_limit,
                p.login_account_window_seconds,
            ),
        ]
        return any(d.remaining == 0 for d in decisions)

    async def succeeded(self, account: str, address: str | None) -> None:
        await self._limiter.reset(self._pair_key(account, address))
