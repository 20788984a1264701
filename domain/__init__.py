"""Atelier's domain: entities, value objects, rules and events. Standard library only."""
