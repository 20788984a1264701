"""Adapters: implementations of the application's ports (drivers live only here)."""
