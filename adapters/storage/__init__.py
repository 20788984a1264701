"""BlobStorage adapters: memory, a local folder and S3 (imported lazily by the container)."""
