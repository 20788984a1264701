"""The event backbone's adapters that are not storage: payload codec, relay wake-ups."""
