"""What a client sends, refused cleanly before it reaches a handler or SQL.

- A JSON body must be UTF-8 (and declare no other charset), parse, and nest no deeper than Python's
  parser manages: otherwise 400. A U+0000 anywhere in it, or in a query value, is a 422 (PostgreSQL
  refuses NUL in text).
- A U+0000 in a path id becomes U+FFFD before the handler runs: such an id cannot exist, so every
  route answers exactly as it does for an id that does not exist (404, or [] where a list is asked for).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from quart import Quart, Request, request

from jarlpm.errors import APIError

NUL = "\x00"


def nul_locations(value: Any, location: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Where in a parsed JSON value a string (or a key) holds U+0000."""
    if isinstance(value, str):
        if NUL in value:
            yield location
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                yield (*location, key)
            yield from nul_locations(item, (*location, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nul_locations(item, (*location, index))


def nul_refused(locations: Sequence[tuple[str | int, ...]]) -> APIError:
    detail = [
        {"loc": list(loc), "msg": "Text must not contain the NUL character (U+0000)", "type": "string_nul"}
        for loc in locations
    ]
    return APIError(422, "VALIDATION_ERROR", detail)  # type: ignore[arg-type]  # the 422 detail is a list


class JarlPMRequest(Request):
    async def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if cache and self._cached_json[silent] is not Ellipsis:
            return self._cached_json[silent]
        if not (force or self.is_json):
            return None
        try:
            result = self._checked_json(await self.get_data(cache, False, False))
        except APIError:
            if not silent:
                raise
            result = None
        if cache:
            self._cached_json[silent] = result
        return result

    def _checked_json(self, raw: bytes) -> Any:
        charset = self.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise APIError(400, "UNSUPPORTED_CHARSET", f"JSON bodies must be UTF-8, not {charset}")
        try:
            parsed = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise APIError(400, "INVALID_BODY", "The request body is not valid UTF-8") from None
        except RecursionError:
            raise APIError(400, "INVALID_JSON", "The JSON body is nested too deeply") from None
        except ValueError as error:
            raise APIError(400, "INVALID_JSON", f"The request body is not valid JSON: {error}") from None
        locations = list(nul_locations(parsed, ("body",)))
        if locations:
            raise nul_refused(locations)
        return parsed


async def refuse_nul_outside_the_body() -> None:
    locations = [("query", key) for key, value in request.args.items(multi=True) if NUL in key or NUL in value]
    if locations:
        raise nul_refused(locations)
    if request.view_args and any(NUL in str(value) for value in request.view_args.values()):
        request.view_args = {
            name: value.replace(NUL, "\ufffd") if isinstance(value, str) else value
            for name, value in request.view_args.items()
        }


def install(app: Quart) -> None:
    app.request_class = JarlPMRequest
    app.before_request(refuse_nul_outside_the_body)
