"""The AI jobs context: transcriptions and virtual try-on, their life cycle and rules."""
