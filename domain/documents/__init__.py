"""The documents context: files attached to interventions and equipment."""
