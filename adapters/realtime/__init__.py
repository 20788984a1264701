"""Real-time fan-out on Litestar channels: Redis pub/sub in production, memory embedded."""
