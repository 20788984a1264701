"""Maintenance application layer: use cases over the maintenance ports."""
