"""Mailer adapters: memory (tests), console (development), SMTP (production)."""
