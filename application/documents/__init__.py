"""The documents context's use cases and ports."""
