"""Ports and helpers shared by every bounded context's use cases."""
