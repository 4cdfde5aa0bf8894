"""LLM provider configurations: a user's own keys, encrypted, one of them active."""
