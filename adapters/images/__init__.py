"""Image codecs: reading headers and rewriting image bytes (Pillow)."""
