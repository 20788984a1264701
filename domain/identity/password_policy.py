"""The password policy (OWASP ASVS): length, no e-mail local part, not common, optional
composition. Passwords are checked whole: nothing is ever truncated or normalised away."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from domain.identity.values import email_local_part
from domain.shared.errors import FieldError, ValidationFailed

MIN_LOCAL_PART_CHECKED = 3


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    min_length: int = 12
    max_length: int = 128
    require_composition: bool = False
    """When True, at least one upper-case letter, one lower-case letter and one digit."""
    common_passwords: frozenset[str] = field(default_factory=frozenset, repr=False)
    """Lower-cased (casefolded) common passwords, refused whatever their case."""

    @classmethod
    def with_common(cls, common: Iterable[str], **options: object) -> PasswordPolicy:
        words = frozenset(w.strip().casefold() for w in common if w.strip())
        return cls(common_passwords=words, **options)  # type: ignore[arg-type]

    def problems(self, password: str, *, email: str | None = None) -> list[str]:
        found: list[str] = []
        length = len(password)
        if length < self.min_length:
            found.append(f"The password must be at least {self.min_length} characters long.")
        if length > self.max_length:
            found.append(f"The password must be at most {self.max_length} characters long.")
        if "\x00" in password:
            found.append("The password must not contain NUL characters.")
        folded = password.casefold()
        if email is not None:
            local = email_local_part(email).casefold()
            if len(local) >= MIN_LOCAL_PART_CHECKED and local in folded:
                found.append("The password must not contain your e-mail address.")
        if folded in self.common_passwords:
            found.append("This password is too common.")
        if self.require_composition:
            if not any(ch.isupper() for ch in password):
                found.append("The password must contain an upper-case letter.")
            if not any(ch.islower() for ch in password):
                found.append("The password must contain a lower-case letter.")
            if not any(ch.isdigit() for ch in password):
                found.append("The password must contain a digit.")
        return found

    def check(
        self, password: str, *, email: str | None = None, field: str = "password"
    ) -> list[FieldError]:
        return [FieldError(field, message) for message in self.problems(password, email=email)]

    def validate(self, password: str, *, email: str | None = None, field: str = "password") -> None:
        """Raise ``ValidationFailed(code="weak_password")`` listing every problem."""
        errors = self.check(password, email=email, field=field)
        if errors:
            raise ValidationFailed(
                "The password does not meet the policy.", errors=errors, code="weak_password"
            )
