"""Automation use cases: playbooks, variable types and the cached Galaxy catalogue."""
