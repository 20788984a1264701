"""The media library: categories, colours, themes and images (rules only, no I/O)."""
