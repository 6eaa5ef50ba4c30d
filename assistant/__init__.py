"""Offline retrieval assistant for questions about migraine surgery."""

__version__ = "0.1.0"
