"""Where a provider is reached, and the SSRF rule for user-supplied (local) base URLs.

A local server's base URL is accepted with or without a trailing /v1 (the web client asks for one,
the old service appended another). In production it must not resolve to a private, loopback,
link-local or otherwise internal address unless LLM_ALLOW_PRIVATE_URLS=true; the rule is checked
when the URL is saved and again before every call.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from jarlpm.errors import APIError


def normalize_local_base_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise APIError(400, "INVALID_BASE_URL", "base_url must be an http:// or https:// URL")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise APIError(400, "INVALID_BASE_URL", "base_url must not carry credentials, a query or a fragment")
    base = raw.strip().rstrip("/")
    return base if base.endswith("/v1") else f"{base}/v1"


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


async def _addresses(host: str, port: int) -> list[str]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise APIError(400, "BASE_URL_UNRESOLVABLE", f"The host {host!r} of base_url cannot be resolved") from None
    return [info[4][0] for info in infos]


async def check_reachable_url(base_url: str, *, allow_private: bool) -> None:
    """Refuse (400) a URL that resolves to an internal address, unless private URLs are allowed."""
    if allow_private:
        return
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if any(_internal(address) for address in await _addresses(parts.hostname or "", port)):
        raise APIError(
            400,
            "PRIVATE_URL_REFUSED",
            "base_url points to a private, loopback or link-local address, which this server does not allow",
        )
