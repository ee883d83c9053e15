"""Builds the shared Lambda layer (`python -m layers.build`)."""
