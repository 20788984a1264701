"""The automation module's adapters: RE2 patterns, the bounded YAML codec, the Galaxy
client."""
