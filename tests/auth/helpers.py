"""Helpers for the sign-in limit tests: a client address as the trusted proxy forwards it, the 429 shape."""

from __future__ import annotations


def from_ip(ip: str) -> dict[str, str]:
    """As our one trusted proxy forwards it: whatever the client claimed, then the address it saw."""
    return {"X-Forwarded-For": f"203.0.113.9, {ip}"}


async def assert_429(response, limit: int) -> int:  # type: ignore[no-untyped-def]
    """The shape of every 429; returns the wait it announces."""
    assert response.status_code == 429
    body = await response.get_json()
    assert body["detail"] == "Rate limit exceeded. Please slow down."
    assert body["code"] == body["error_code"] == "RATE_LIMIT_EXCEEDED"
    assert body["retry_after_seconds"] >= 1
    assert (
        body["message"] == f"Too many requests. Please wait {body['retry_after_seconds']} seconds before trying again."
    )
    assert response.headers["Retry-After"] == str(body["retry_after_seconds"])
    assert response.headers["X-RateLimit-Limit"] == str(limit)
    return body["retry_after_seconds"]
