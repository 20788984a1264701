"""Adapters of the AI jobs ports: providers (offline and remote), host resolution, and an
in-memory twin of the media module's ImageLibrary port."""
