"""In-memory persistence: shipped adapters (not test mocks) with real transaction semantics."""
