"""Alembic migrations of Atelier's SQL schema (run through ``adapters.persistence.sqlalchemy.migrations``)."""
