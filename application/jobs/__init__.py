"""The AI jobs context: use cases, ports, the worker side of each job."""
