"""Atelier's use cases and the ports they need. Standard library and ``domain`` only."""
