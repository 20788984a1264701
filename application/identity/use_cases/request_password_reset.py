"""Ask for a password-reset mail. Always succeeds and says nothing about the account."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from application.identity.policy import IdentityPolicy
from application.identity.ports import EmailMessage, IdentityUnitOfWork, Mailer, SecurityLog
from application.identity.tokens import hash_identifier, hash_token, new_opaque_token
from application.shared.clock import Clock
from application.shared.rate_limit import RateLimiter
from domain.identity.events import PasswordResetRequested
from domain.identity.password_reset import PasswordResetToken
from domain.identity.values import email_problem, normalize_email
from domain.shared.errors import DomainError

log = logging.getLogger("atelier.identity")


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestPasswordResetCommand:
    email: str
    client_address: str | None = None


class RequestPasswordReset:
    def __init__(
        self,
        uow: IdentityUnitOfWork,
        mailer: Mailer,
        limiter: RateLimiter,
        security_log: SecurityLog,
        clock: Clock,
        policy: IdentityPolicy,
    ) -> None:
        self._uow, self._mailer, self._limiter = uow, mailer, limiter
        self._log, self._clock, self._policy = security_log, clock, policy

    async def __call__(self, command: RequestPasswordResetCommand) -> None:
        email = normalize_email(command.email)
        if email_problem(email) is not None:
            return
        decision = await self._limiter.hit(
            f"password-reset:{hash_identifier(email)}", self._policy.reset_requests_per_hour, 3600
        )
        if not decision.allowed:
            return
        token = new_opaque_token()
        async with self._uow as uow:
            user = await uow.users.get_by_email(email)
            if user is None or not user.is_active:
                return
            now = self._clock.now()
            await uow.password_resets.invalidate_for_user(user.id, now)
            await uow.password_resets.add(
                PasswordResetToken.issue(
                    user.id, hash_token(token), now, self._policy.reset_token_ttl_seconds
                )
            )
            await uow.commit()
        await self._log.record(
            PasswordResetRequested.__name__, user_id=user.id, ip=command.client_address
        )
        try:
            await self._mailer.send(self._message(user.email, token))
        except (DomainError, OSError):
            log.warning("password reset mail could not be sent", exc_info=True)

    def _message(self, to: str, token: str) -> EmailMessage:
        template = self._policy.reset_url_template
        link = template.format(token=token) if template else token
        minutes = self._policy.reset_token_ttl_seconds // 60
        text = (
            "Someone (hopefully you) asked to reset your password.\n\n"
            f"Use this within {minutes} minutes, once:\n{link}\n\n"
            "If it was not you, ignore this message; your password is unchanged.\n"
        )
        return EmailMessage(
            to=to, subject=f"{self._policy.mail_sender_name}: reset your password", text=text
        )
