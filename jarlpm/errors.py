"""APIError and the handlers that give every error the {"detail", "code"} shape."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import asyncpg
from quart import Quart, Response, g, jsonify
from quart_schema import RequestSchemaValidationError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class APIError(Exception):
    """An error the client is meant to see: an HTTP status, a stable code and a human message."""

    def __init__(self, status: int, code: str, detail: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})


def error_response(
    status: int, code: str, detail: object, headers: Mapping[str, str] | None = None, **extra: object
) -> Response:
    """The error shape every client sees; `extra` adds the keys a contract asks for beside it."""
    response = jsonify({"detail": detail, "code": code, **extra})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _http_code(error: HTTPException) -> str:
    return (error.name or "HTTP error").upper().replace(" ", "_").replace("'", "")


def _validation_details(error: RequestSchemaValidationError) -> list[dict[str, object]]:
    cause = error.validation_error
    if hasattr(cause, "errors"):
        return [
            {"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]}
            for item in cause.errors(include_url=False, include_input=False)
        ]
    return [{"loc": [], "msg": str(cause), "type": "value_error"}]


def register_error_handlers(app: Quart) -> None:
    @app.errorhandler(APIError)
    async def handle_api_error(error: APIError) -> Response:
        return error_response(error.status, error.code, error.detail, error.headers)

    @app.errorhandler(RequestSchemaValidationError)
    async def handle_validation_error(error: RequestSchemaValidationError) -> Response:
        return error_response(422, "VALIDATION_ERROR", _validation_details(error))

    @app.errorhandler(HTTPException)
    async def handle_http_error(error: HTTPException) -> Response:
        methods = getattr(error, "valid_methods", None)
        headers = {"Allow": ", ".join(sorted(methods))} if methods else None
        return error_response(error.code or 500, _http_code(error), error.name, headers)

    @app.errorhandler(asyncpg.ConnectionDoesNotExistError)
    async def handle_lost_connection(error: asyncpg.ConnectionDoesNotExistError) -> Response:
        # The server closed a pooled connection mid-request (restart, failover): worth a retry.
        log.error("database connection lost (request %s)", g.get("request_id", "-"))
        return error_response(
            503, "DB_UNAVAILABLE", "The database connection was lost. Please retry.", {"Retry-After": "1"}
        )

    @app.errorhandler(Exception)
    async def handle_unexpected(error: Exception) -> Response:
        # The client learns nothing of the failure but the request id that finds it in the log.
        log.exception("unhandled error (request %s)", g.get("request_id", "-"))
        return error_response(500, "INTERNAL_ERROR", "An internal error occurred")
