"""Features: generated from a locked epic, refined by conversation, approved (then frozen)."""
