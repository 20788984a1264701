"""Configuration the identity use cases need (filled from settings by the composition root)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityPolicy:
    access_ttl_seconds: int = 900
    refresh_ttl_seconds: int = 604_800
    """A refresh family's absolute life, counted from its first token."""
    signup_enabled: bool = True
    password_min_length: int = 12
    password_max_length: int = 128
    password_require_composition: bool = False
    reset_token_ttl_seconds: int = 1_800
    reset_url_template: str | None = None
    """E.g. ``https://app.example/reset?token={token}``; None puts the bare token in the mail."""
    reset_requests_per_hour: int = 5
    """Reset mails per account per hour; further requests are silently dropped."""
    login_pair_limit: int = 5
    login_pair_window_seconds: int = 900
    login_account_limit: int = 100
    login_account_window_seconds: int = 3_600
    login_address_limit: int = 50
    """Failed logins from one client address (any accounts) before it gets 429: an office
    behind one NAT address never locks itself out by logging in successfully."""
    login_address_window_seconds: int = 900
    user_state_cache_ttl_seconds: int = 3_600
    """How long Authenticate may trust a cached user cut-off before asking the database."""
    mail_sender_name: str = "Atelier"
