"""The one failure a route reports when an AI call did not produce what it needed."""

from __future__ import annotations

from jarlpm.errors import APIError


class AIFailure(APIError):
    """A provider failure or unusable output, with a message safe to show. A JSON AI route lets it
    escape (the app answers 502 AI_FAILED); a stream turns it into its `error` event."""

    def __init__(self, message: str) -> None:
        super().__init__(502, "AI_FAILED", message)

    @property
    def message(self) -> str:
        return self.detail
