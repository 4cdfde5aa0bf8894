"""`/openapi.json` as the contract really is: error statuses, required bodies and streamed responses.

quart-schema documents what the validation decorators say (request and success models). The rest of
what a client must know follows from markers the routes already carry (auth, rate limits, AI, path
parameters, the HTTP method), so it is derived here, in one place, and a new route is covered without
anyone remembering to document it. A status a route declares itself always wins over a derived one.

Streaming (Server-Sent Events) routes cannot use `@validate_response` (it raises on a streamed
Response): `@streams(...)` names their events instead and marks them as streaming.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from quart_rate_limiter import QUART_RATE_LIMITER_LIMITS_ATTRIBUTE
from quart_schema.openapi import QUART_SCHEMA_OPERATION_ID_ATTRIBUTE, OpenAPIProvider
from quart_schema.validation import (
    QUART_SCHEMA_HEADERS_ATTRIBUTE,
    QUART_SCHEMA_QUERYSTRING_ATTRIBUTE,
    QUART_SCHEMA_REQUEST_ATTRIBUTE,
)
from werkzeug.routing.rules import Rule

from jarlpm.http.auth import ACCESS_ATTRIBUTE
from jarlpm.http.cors import SAFE_METHODS
from jarlpm.http.idempotency import HEADER as IDEMPOTENCY_HEADER
from jarlpm.http.idempotency import IDEMPOTENT_ATTRIBUTE
from jarlpm.http.rate_limits import AI_ROUTE_ATTRIBUTE

__all__ = [
    "ContractOpenAPIProvider",
    "answers_otherwise",
    "download_types",
    "downloads",
    "is_streaming",
    "no_database",
    "redirects",
    "stream_events",
    "streams",
]

STREAM_ATTRIBUTE = "jarlpm_stream_events"
DOWNLOAD_ATTRIBUTE = "jarlpm_download_types"
REDIRECT_ATTRIBUTE = "jarlpm_redirects"
NO_DATABASE_ATTRIBUTE = "jarlpm_no_database"
SSE_MEDIA_TYPE = "text/event-stream"

View = TypeVar("View", bound=Callable[..., Any])


def streams(*events: str) -> Callable[[View], View]:
    """Marks a Server-Sent Events route and names the events it sends, in order, as `type {keys}`
    with `*` (repeated), `?` (optional) and `a | b` (one or the other).

    Put it last, where a JSON route has `@validate_response`: the wrappers above copy the mark.
    """
    if not events or not all(isinstance(event, str) and event.strip() for event in events):
        raise ValueError("@streams needs the events the route sends")

    def decorator(view: View) -> View:
        setattr(view, STREAM_ATTRIBUTE, tuple(events))
        return view

    return decorator


def downloads(*media_types: str) -> Callable[[View], View]:
    """Marks a route that answers a file to download (`Content-Disposition: attachment`) in one of
    these media types, written piece by piece, so it cannot use `@validate_response`. Put it last."""
    if not media_types:
        raise ValueError("@downloads needs the media types the route answers")

    def decorator(view: View) -> View:
        setattr(view, DOWNLOAD_ATTRIBUTE, tuple(media_types))
        return view

    return decorator


def redirects(description: str) -> Callable[[View], View]:
    """Marks a route a browser is sent to, that answers by sending it on (302 with a Location); put it last."""

    def decorator(view: View) -> View:
        setattr(view, REDIRECT_ATTRIBUTE, description)
        return view

    return decorator


def download_types(view: Callable[..., Any]) -> tuple[str, ...]:
    return getattr(view, DOWNLOAD_ATTRIBUTE, ())


def answers_otherwise(view: Callable[..., Any]) -> bool:
    """A route whose answer is not JSON: a stream, a download or a redirect (none can be validated)."""
    return is_streaming(view) or bool(download_types(view)) or hasattr(view, REDIRECT_ATTRIBUTE)


def no_database(view: View) -> View:
    """Marks a route that never touches the database, so it cannot answer 503 DB_UNAVAILABLE."""
    setattr(view, NO_DATABASE_ATTRIBUTE, True)
    return view


def stream_events(view: Callable[..., Any]) -> tuple[str, ...]:
    return getattr(view, STREAM_ATTRIBUTE, ())


def is_streaming(view: Callable[..., Any]) -> bool:
    return bool(stream_events(view))


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "title": "Error",
        "description": "Every error body: a human message and a stable SCREAMING_SNAKE code.",
        "type": "object",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail", "code"],
    },
    "ValidationIssue": {
        "title": "ValidationIssue",
        "type": "object",
        "properties": {
            "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "msg": {"type": "string"},
            "type": {"type": "string"},
        },
        "required": ["loc", "msg", "type"],
    },
    "ValidationError": {
        "title": "ValidationError",
        "description": "A request body or query string that does not match its schema.",
        "type": "object",
        "properties": {
            "detail": {"type": "array", "items": _ref("ValidationIssue")},
            "code": {"type": "string", "const": "VALIDATION_ERROR"},
        },
        "required": ["detail", "code"],
    },
    "RateLimitError": {
        "title": "RateLimitError",
        "description": "The error shape plus the keys the web client reads to wait and retry.",
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string", "const": "RATE_LIMIT_EXCEEDED"},
            "error_code": {"type": "string", "const": "RATE_LIMIT_EXCEEDED"},
            "retry_after_seconds": {"type": "integer", "minimum": 1},
            "message": {"type": "string"},
        },
        "required": ["detail", "code", "error_code", "retry_after_seconds", "message"],
    },
}

RETRY_AFTER = {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
RATE_LIMIT = {"description": "The limit that was reached (requests per window)", "schema": {"type": "integer"}}


def _error(description: str, schema: str = "Error", headers: Mapping[str, dict] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}
    if headers:
        response["headers"] = dict(headers)
    return response


@dataclass(frozen=True)
class Operation:
    """One method of one rule, with the markers its view carries."""

    view: Callable[..., Any]
    rule: Rule
    method: str

    def authenticated(self) -> bool:
        return getattr(self.view, ACCESS_ATTRIBUTE, None) == "user"

    def administrative(self) -> bool:
        return getattr(self.view, ACCESS_ATTRIBUTE, None) == "admin"

    def calls_llm(self) -> bool:
        return bool(getattr(self.view, AI_ROUTE_ATTRIBUTE, False))

    def calls_llm_for_json(self) -> bool:
        # A streaming route reports a provider failure as an `error` event, not as a status.
        return self.calls_llm() and not is_streaming(self.view)

    def writes(self) -> bool:
        return self.method.upper() not in SAFE_METHODS

    def has_path_parameters(self) -> bool:
        return bool(self.rule.arguments)

    def takes_body(self) -> bool:
        return getattr(self.view, QUART_SCHEMA_REQUEST_ATTRIBUTE, None) is not None

    def validates_input(self) -> bool:
        inputs = (QUART_SCHEMA_REQUEST_ATTRIBUTE, QUART_SCHEMA_QUERYSTRING_ATTRIBUTE, QUART_SCHEMA_HEADERS_ATTRIBUTE)
        return any(getattr(self.view, name, None) is not None for name in inputs)

    def rate_limited(self) -> bool:
        return bool(getattr(self.view, QUART_RATE_LIMITER_LIMITS_ATTRIBUTE, None))

    def uses_database(self) -> bool:
        return not getattr(self.view, NO_DATABASE_ATTRIBUTE, False)

    def writes_to_database(self) -> bool:
        return self.writes() and self.uses_database()

    def always(self) -> bool:
        return True

    def idempotent(self) -> bool:
        return bool(getattr(self.view, IDEMPOTENT_ATTRIBUTE, False))


# The one table of derived error statuses: (status, when it applies, the response). Rows sharing a
# status share its schema; their descriptions are joined.
DERIVED_ERRORS: tuple[tuple[str, Callable[[Operation], bool], dict[str, Any]], ...] = (
    (
        "400",
        Operation.calls_llm,
        _error("No active LLM provider (NO_LLM_PROVIDER), or its stored key cannot be read (LLM_KEY_UNREADABLE)"),
    ),
    (
        "400",
        Operation.takes_body,
        _error("The body is not UTF-8 JSON (INVALID_JSON, INVALID_BODY, UNSUPPORTED_CHARSET)"),
    ),
    (
        "400",
        Operation.idempotent,
        _error(f"{IDEMPOTENCY_HEADER} is not 1 to 255 visible ASCII characters (INVALID_IDEMPOTENCY_KEY)"),
    ),
    ("401", Operation.authenticated, _error("Not signed in: NOT_AUTHENTICATED, INVALID_SESSION or SESSION_EXPIRED")),
    (
        "403",
        Operation.administrative,
        _error("Not an administrator: no valid X-Admin-Token, and no verified allowlisted session (ADMIN_REQUIRED)"),
    ),
    ("402", Operation.calls_llm, _error("An active subscription is required (SUBSCRIPTION_REQUIRED)")),
    (
        "403",
        Operation.writes,
        _error("A cookie-authenticated write from an origin that is not allowed (ORIGIN_NOT_ALLOWED)"),
    ),
    ("404", Operation.has_path_parameters, _error("Not found, or owned by another user (*_NOT_FOUND)")),
    ("413", Operation.takes_body, _error("The request body is larger than 2 MiB (REQUEST_ENTITY_TOO_LARGE)")),
    ("422", Operation.validates_input, _error("The request does not match its schema", "ValidationError")),
    (
        "422",
        Operation.idempotent,
        _error(f"This {IDEMPOTENCY_HEADER} was used for another request (IDEMPOTENCY_KEY_REUSED)"),
    ),
    (
        "429",
        Operation.rate_limited,
        _error(
            "Rate limit exceeded (RATE_LIMIT_EXCEEDED)",
            "RateLimitError",
            {"Retry-After": RETRY_AFTER, "X-RateLimit-Limit": RATE_LIMIT},
        ),
    ),
    (
        "500",
        Operation.always,
        _error("An unexpected error (INTERNAL_ERROR); the X-Request-ID header finds it in the log"),
    ),
    ("502", Operation.calls_llm_for_json, _error("The LLM provider failed or answered unusable output (AI_FAILED)")),
    (
        "503",
        Operation.uses_database,
        _error(
            "The database is unreachable (DB_UNAVAILABLE) or no connection became free in time (DB_POOL_TIMEOUT)",
            headers={"Retry-After": RETRY_AFTER},
        ),
    ),
    (
        "503",
        Operation.calls_llm,
        _error(
            "Too many AI requests are waiting for the database already (SERVICE_BUSY)",
            headers={"Retry-After": RETRY_AFTER},
        ),
    ),
    (
        "503",
        Operation.writes_to_database,
        _error("The connection was lost during COMMIT, so the change may or may not be saved (DB_OUTCOME_UNKNOWN)"),
    ),
)


def derived_errors(operation: Operation) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for status, applies, response in DERIVED_ERRORS:
        if not applies(operation):
            continue
        if status in found:
            found[status]["description"] += ". " + response["description"]
        else:
            # A copy: editing one operation's response must not edit every other operation's.
            found[status] = copy.deepcopy(response)
    return found


def stream_response(view: Callable[..., Any]) -> dict[str, Any]:
    events = ", ".join(stream_events(view))
    return {
        "description": (
            f"Server-Sent Events, in order: {events}. Each event is one `data: <JSON>` frame whose `type` "
            "is the event name; `: keep-alive` comments arrive while the provider is silent."
        ),
        "content": {SSE_MEDIA_TYPE: {"schema": {"type": "string"}}},
    }


BINARY = {"type": "string", "format": "binary"}


def download_response(view: Callable[..., Any]) -> dict[str, Any]:
    return {
        "description": "A file to download, written piece by piece",
        "headers": {
            "Content-Disposition": {
                "description": "attachment, with a file name safe on every system (and filename* for non-ASCII)",
                "schema": {"type": "string"},
            }
        },
        "content": {
            media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in download_types(view)
        },
    }


def redirect_response(view: Callable[..., Any]) -> dict[str, Any]:
    return {
        "description": getattr(view, REDIRECT_ATTRIBUTE),
        "headers": {"Location": {"description": "where the browser goes next", "schema": {"type": "string"}}},
    }


def document_operation(operation: dict[str, Any], context: Operation) -> dict[str, Any]:
    """The operation with its derived responses added; quart-schema's own (and int keys) normalised."""
    responses = {str(status): response for status, response in operation["responses"].items()}
    if is_streaming(context.view):
        responses.setdefault("200", stream_response(context.view))
    if download_types(context.view):
        responses["200"] = download_response(context.view)
    if hasattr(context.view, REDIRECT_ATTRIBUTE):
        responses.pop("200", None)
        responses["302"] = redirect_response(context.view)
    for status, response in derived_errors(context).items():
        responses.setdefault(status, response)
    parameters = [*operation.get("parameters", []), *([IDEMPOTENCY_PARAMETER] if context.idempotent() else [])]
    # A fresh dict per method: quart-schema's per-method operations share one `responses` dict.
    return {**operation, "parameters": parameters, "responses": dict(sorted(responses.items()))}


IDEMPOTENCY_PARAMETER = {
    "name": IDEMPOTENCY_HEADER,
    "in": "header",
    "required": False,
    "description": "A retry with the same key returns the first answer instead of creating a duplicate",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


def _operation_id(method: str, endpoint: str) -> str:
    # Function names repeat across rooms (`chat`, `interview`...): the blueprint keeps ids apart.
    return f"{method.lower()}_{re.sub(r'[^0-9A-Za-z]+', '_', endpoint)}"


def make_operation_ids_unique(spec: dict[str, Any]) -> None:
    """A view serving several paths (a legacy alias) would repeat its id; generators need them unique."""
    seen: Counter[str] = Counter()
    for operations in spec["paths"].values():
        for operation in operations.values():
            operation_id = operation.get("operationId")
            if operation_id is None:
                continue
            seen[operation_id] += 1
            if seen[operation_id] > 1:
                operation["operationId"] = f"{operation_id}_{seen[operation_id]}"


class ContractOpenAPIProvider(OpenAPIProvider):
    """quart-schema's generation, plus what the route markers say about errors, bodies and streams."""

    def schema(self) -> dict[str, Any]:
        spec = super().schema()
        spec["components"]["schemas"].update(ERROR_SCHEMAS)
        make_operation_ids_unique(spec)
        return spec

    def build_request_body(self, model: Any, source: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        # Only `@validate_request` routes get here, and every one of them refuses a missing body.
        body, components = super().build_request_body(model, source)
        return {**body, "required": True}, components

    def build_paths(self, rule: Rule) -> tuple[dict, dict]:
        paths, components = super().build_paths(rule)
        view = self._app.view_functions[rule.endpoint]
        for operations in paths.values():
            for method, operation in operations.items():
                operations[method] = document_operation(operation, Operation(view, rule, method))
                if not hasattr(view, QUART_SCHEMA_OPERATION_ID_ATTRIBUTE):
                    operations[method]["operationId"] = _operation_id(method, rule.endpoint)
        return paths, components
