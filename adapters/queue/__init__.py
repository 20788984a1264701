"""Job-queue adapters: SAQ on Redis (production), a SQLite-backed and an in-memory queue."""
