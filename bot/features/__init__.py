"""One folder per feature (docs/ARCHITECTURE.md)."""
