"""Where a provider is reached, and the SSRF rule for user-supplied (local) base URLs.

A local server's base URL is accepted with or without a trailing /v1 (the web client asks for one,
the old service appended another). In production it must not resolve to a private, loopback,
link-local or otherwise internal address unless LLM_ALLOW_PRIVATE_URLS=true; the rule is checked
when the URL is saved and again before every call. Before either, the URL must be a plain http(s) URL
of a host (no spaces or control characters, a valid host name or IPv6 address, a port in 1-65535):
anything else is a 400 INVALID_BASE_URL, never an exception from a parser or the HTTP client.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from urllib.parse import SplitResult, urlsplit

from jarlpm.errors import APIError

# What we accept between "//" and the path: a bracketed IPv6 address or a host name, then maybe a port.
# Anything else (a stray bracket, a second colon, junk after "]") would only fail later, in the HTTP client.
_AUTHORITY = re.compile(r"(?:\[(?P<ipv6>[0-9a-f:.]+)\]|(?P<name>[^\[\]:]+))(?::(?P<port>[0-9]*))?", re.IGNORECASE)
_HOST_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?", re.IGNORECASE)  # "_": Docker service names
DEFAULT_PORTS = {"http": 80, "https": 443}
INVALID_HOST_NAME = "base_url has an invalid host name"


def _invalid(detail: str) -> APIError:
    return APIError(400, "INVALID_BASE_URL", detail)


def _split(url: str) -> SplitResult:
    # urlsplit silently drops tabs and newlines that the HTTP client would refuse, so check the text first.
    if not url.isprintable() or any(char.isspace() for char in url):
        raise _invalid("base_url must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed "[" around an IPv6 address
        raise _invalid("base_url is not a valid URL") from None
    if parts.scheme not in DEFAULT_PORTS:
        raise _invalid("base_url must be an http:// or https:// URL")
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise _invalid("base_url must not carry credentials, a query or a fragment")
    return parts


def _host(match: re.Match[str]) -> str:
    if match["ipv6"] is not None:
        try:
            return str(ipaddress.IPv6Address(match["ipv6"]))
        except ValueError:
            raise _invalid("base_url has an invalid IPv6 address") from None
    try:
        name = match["name"].encode("idna").decode("ascii")  # also refuses empty or over-long labels
    except UnicodeError:
        raise _invalid(INVALID_HOST_NAME) from None
    if not _HOST_NAME.fullmatch(name):
        raise _invalid(INVALID_HOST_NAME)
    return name


def _port(digits: str | None, scheme: str) -> int:
    port = int(digits) if digits else DEFAULT_PORTS[scheme]
    if not 1 <= port <= 65535:
        raise _invalid("base_url has an invalid port (it must be between 1 and 65535)")
    return port


def host_and_port(url: str) -> tuple[str, int]:
    """Where a base URL points; 400 INVALID_BASE_URL when it is not a plain http(s) URL of a host."""
    parts = _split(url)
    if not parts.hostname:
        raise _invalid("base_url must name a host")
    match = _AUTHORITY.fullmatch(parts.netloc)
    if match is None:
        raise _invalid("base_url has an invalid host or port")
    return _host(match), _port(match["port"], parts.scheme)


def normalize_local_base_url(raw: str) -> str:
    base = raw.strip().rstrip("/")
    host_and_port(base)
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
    return [str(info[4][0]) for info in infos]


async def check_reachable_url(base_url: str, *, allow_private: bool) -> None:
    """Refuse (400) a URL that resolves to an internal address, unless private URLs are allowed."""
    host, port = host_and_port(base_url)  # a URL stored before these checks existed meets them here
    if allow_private:
        return
    if any(_internal(address) for address in await _addresses(host, port)):
        raise APIError(
            400,
            "PRIVATE_URL_REFUSED",
            "base_url points to a private, loopback or link-local address, which this server does not allow",
        )
