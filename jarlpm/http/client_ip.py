"""The client's address, trusting exactly TRUST_PROXY_HEADERS proxies in front of the service."""

from __future__ import annotations

from quart import request

from jarlpm.http import current_settings


def client_ip() -> str:
    hops = current_settings().trust_proxy_headers
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    if hops == 0 or not forwarded:
        return request.remote_addr or "unknown"
    # Each trusted proxy appends the address it received from; anything further left may be forged.
    return forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
