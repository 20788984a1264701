"""The media library's use cases and ports."""
