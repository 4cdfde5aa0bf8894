"""JarlPM: an AI-assisted product-management service."""

__version__ = "0.1.0"
