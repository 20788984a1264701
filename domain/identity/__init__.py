"""Identity: users, roles, credentials, sessions and preferences (framework-free)."""
