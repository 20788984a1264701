"""Cache adapters: in-process memory and Redis."""
