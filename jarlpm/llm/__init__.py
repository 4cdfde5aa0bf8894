"""The one LLM call layer: provider SDK clients on one shared HTTP client, key checks, URL policy."""
