"""The product delivery context: how a user's team delivers, injected into prompts."""
