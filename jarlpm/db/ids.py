"""Public ids: a prefix and 12 random hex characters (`user_3f9a0c1b2d4e`), the primary key everywhere."""

import secrets


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"
