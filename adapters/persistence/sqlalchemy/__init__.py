"""SQLAlchemy Core persistence shared by every context: SQLite (embedded) and PostgreSQL."""
