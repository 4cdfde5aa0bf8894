"""/openapi.json describes the real contract: error statuses, required bodies, and streamed responses.

The expectations come from the app's url_map and the markers on each view (not from path lists), so
a route added tomorrow is checked too; a few named routes are spot-checked on top.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel
from quart import Quart
from quart_rate_limiter import QUART_RATE_LIMITER_LIMITS_ATTRIBUTE
from quart_schema import QuartSchema, validate_response
from quart_schema.openapi import QUART_SCHEMA_HIDDEN_ATTRIBUTE
from quart_schema.validation import (
    QUART_SCHEMA_QUERYSTRING_ATTRIBUTE,
    QUART_SCHEMA_REQUEST_ATTRIBUTE,
    QUART_SCHEMA_RESPONSE_ATTRIBUTE,
)

from jarlpm.http.auth import ACCESS_ATTRIBUTE, login_required
from jarlpm.http.openapi import (
    NO_DATABASE_ATTRIBUTE,
    ContractOpenAPIProvider,
    answers_otherwise,
    download_types,
    is_streaming,
    stream_events,
    streams,
)
from jarlpm.http.rate_limits import AI_ROUTE_ATTRIBUTE, ai_route

ERROR_SCHEMAS = {"Error", "ValidationError", "RateLimitError"}
PATH_PARAMETER = re.compile(r"<(?:[^:>]*:)?([^>]+)>")


@dataclass(frozen=True)
class Documented:
    """One method of one route, its view, and what /openapi.json says about it."""

    method: str
    path: str
    view: Any
    has_path_parameters: bool
    operation: dict

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def marked(self, attribute: str) -> bool:
        return bool(getattr(self.view, attribute, None))

    @property
    def responses(self) -> dict:
        return self.operation["responses"]


def _methods(rule) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(method for method in rule.methods if method not in ("HEAD", "OPTIONS"))


@pytest.fixture
async def spec(client) -> dict:  # type: ignore[no-untyped-def]
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return await response.get_json()


@pytest.fixture
def operations(app, spec) -> list[Documented]:  # type: ignore[no-untyped-def]
    """Every documented method of every route in the url_map; a route missing from the spec fails here."""
    found = []
    for rule in app.app.url_map.iter_rules():
        view = app.app.view_functions[rule.endpoint]
        if getattr(view, QUART_SCHEMA_HIDDEN_ATTRIBUTE, False):
            continue
        path = PATH_PARAMETER.sub(r"{\1}", rule.rule)
        for method in _methods(rule):
            operation = spec["paths"].get(path, {}).get(method.lower())
            assert operation is not None, f"{method} {path} is not documented"
            found.append(Documented(method.lower(), path, view, bool(rule.arguments), operation))
    assert len(found) > 20
    return found


def _schema_ref(response: dict) -> str:
    return response["content"]["application/json"]["schema"]["$ref"]


def _success(responses: dict) -> dict:
    """The answer of a call that worked: the first 2xx, or a redirect's 302."""
    return responses[min(status for status in responses if status.startswith("2") or status == "302")]


def test_every_authenticated_operation_documents_401(operations) -> None:
    authenticated = [op for op in operations if getattr(op.view, ACCESS_ATTRIBUTE, None) == "user"]
    assert authenticated
    assert [str(op) for op in authenticated if "401" not in op.responses] == []


def test_every_request_body_is_required_and_documents_400_422_and_413(operations) -> None:
    with_body = [op for op in operations if op.marked(QUART_SCHEMA_REQUEST_ATTRIBUTE)]
    assert with_body
    for op in with_body:
        assert op.operation["requestBody"]["required"] is True, op
        assert _schema_ref(op.responses["422"]) == "#/components/schemas/ValidationError", op
        assert "413" in op.responses, op
        assert "INVALID_JSON" in op.responses["400"]["description"], op
    assert [str(op) for op in operations if "requestBody" in op.operation and op not in with_body] == []


def test_every_query_string_model_documents_422(operations) -> None:
    with_query = [op for op in operations if op.marked(QUART_SCHEMA_QUERYSTRING_ATTRIBUTE)]
    assert with_query
    assert [str(op) for op in with_query if "422" not in op.responses] == []


def test_every_path_parameter_documents_404(operations) -> None:
    with_parameters = [op for op in operations if op.has_path_parameters]
    assert with_parameters and all("{" in op.path for op in with_parameters)
    assert [str(op) for op in with_parameters if "404" not in op.responses] == []


def test_every_ai_route_documents_402_400_and_429(operations) -> None:
    ai_routes = [op for op in operations if op.marked(AI_ROUTE_ATTRIBUTE)]
    assert ai_routes
    for op in ai_routes:
        assert {"400", "402", "429"} <= set(op.responses), op
        assert "NO_LLM_PROVIDER" in op.responses["400"]["description"], op


def test_every_rate_limited_route_documents_429_with_its_headers(operations) -> None:
    limited = [op for op in operations if op.marked(QUART_RATE_LIMITER_LIMITS_ATTRIBUTE)]
    assert limited
    for op in limited:
        too_many = op.responses["429"]
        assert _schema_ref(too_many) == "#/components/schemas/RateLimitError", op
        assert {"Retry-After", "X-RateLimit-Limit"} <= set(too_many["headers"]), op


def test_writes_document_403_and_every_operation_500_and_503(operations) -> None:
    writes = [op for op in operations if op.method in ("post", "put", "patch", "delete")]
    assert writes
    assert [str(op) for op in writes if "403" not in op.responses] == []
    assert [str(op) for op in operations if "500" not in op.responses] == []
    uses_database = [op for op in operations if not op.marked(NO_DATABASE_ATTRIBUTE)]
    assert [str(op) for op in uses_database if "503" not in op.responses] == []
    assert all("Retry-After" in op.responses["503"]["headers"] for op in uses_database)


def test_a_route_without_a_validated_response_is_a_documented_stream(operations) -> None:
    # JSON routes must validate their response (route inventory), so the rest are the streams.
    unvalidated = [op for op in operations if not op.marked(QUART_SCHEMA_RESPONSE_ATTRIBUTE)]
    assert unvalidated
    assert [str(op) for op in unvalidated if not answers_otherwise(op.view)] == []


def test_streams_document_their_events_and_json_routes_their_json(operations) -> None:
    streaming = [op for op in operations if is_streaming(op.view)]
    assert len(streaming) >= 10
    for op in operations:
        success = _success(op.responses)
        if is_streaming(op.view):
            assert set(success["content"]) == {"text/event-stream"}, op
            for event in stream_events(op.view):
                assert event in success["description"], op
        elif download_types(op.view):
            assert set(success["content"]) == set(download_types(op.view)), op
            assert "Content-Disposition" in success["headers"], op
        elif "302" in op.responses:
            assert "Location" in success["headers"], op
        else:
            assert set(success["content"]) == {"application/json"}, op


def test_error_components_exist_and_every_error_response_uses_one(spec, operations) -> None:
    schemas = spec["components"]["schemas"]
    assert ERROR_SCHEMAS <= set(schemas)
    assert set(schemas["Error"]["required"]) == {"detail", "code"}
    validation = schemas["ValidationError"]
    assert validation["properties"]["code"]["const"] == "VALIDATION_ERROR"
    issue = validation["properties"]["detail"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert set(schemas[issue]["required"]) == {"loc", "msg", "type"}
    used = set()
    for op in operations:
        for status, response in op.responses.items():
            if status >= "400":
                used.add(_schema_ref(response).rsplit("/", 1)[-1])
    assert used == ERROR_SCHEMAS


def test_each_summary_is_the_first_line_of_the_docstring(operations) -> None:
    for op in operations:
        assert op.operation["summary"] == inspect.getdoc(op.view).splitlines()[0], op


def test_operation_ids_are_unique(operations) -> None:
    ids = [op.operation["operationId"] for op in operations]
    assert len(ids) == len(set(ids))


def test_epic_chat_lists_its_events_in_order(spec) -> None:
    chat = spec["paths"]["/api/epics/{epic_id}/chat"]["post"]
    events = chat["responses"]["200"]["description"]
    positions = [events.index(name) for name in ("chunk", "proposal", "done", "error")]
    assert positions == sorted(positions)
    assert "proposal_id" in events and "target_stage" in events
    assert chat["requestBody"]["required"] is True
    assert {"400", "401", "402", "404", "422", "429"} <= set(chat["responses"])


def test_spot_checks_on_named_routes(spec) -> None:
    paths = spec["paths"]
    interview = paths["/api/bugs/ai/chat"]["post"]["responses"]["200"]["description"]
    assert "is_complete" in interview and "severity" in interview
    generate = paths["/api/features/epic/{epic_id}/generate"]["post"]["responses"]["200"]["description"]
    assert "features {features" in generate
    assert "text/event-stream" in paths["/api/bugs/{bug_id}/ai/refine"]["post"]["responses"]["200"]["content"]
    assert "401" not in paths["/api/health"]["get"]["responses"]
    assert "401" in paths["/api/epics"]["get"]["responses"]
    assert paths["/api/epics"]["post"]["responses"]["201"]["content"]["application/json"]


class Answer(BaseModel):
    detail: str


async def test_a_status_the_route_declares_wins_over_the_derived_one() -> None:
    app = Quart(__name__)
    QuartSchema(app, openapi_provider_class=ContractOpenAPIProvider)

    @app.post("/things/<thing_id>")
    @login_required
    @ai_route
    @validate_response(Answer, 200)
    @validate_response(Answer, 404)
    async def poke(thing_id: str) -> Answer:
        """Poke a thing."""
        return Answer(detail=thing_id)

    async with app.test_request_context("/"):
        spec = app.extensions["QUART_SCHEMA"].openapi_provider.schema()
    responses = spec["paths"]["/things/{thing_id}"]["post"]["responses"]
    assert responses["404"]["content"]["application/json"]["schema"]["title"] == "Answer"
    assert _schema_ref(responses["401"]).endswith("/Error")
    assert "NO_LLM_PROVIDER" in responses["400"]["description"]
    assert "INVALID_JSON" not in responses["400"]["description"]  # no body here
    assert "DB_OUTCOME_UNKNOWN" in responses["503"]["description"]


async def test_a_missing_body_is_refused_as_required_true_says(client) -> None:
    response = await client.post("/api/auth/login")
    assert response.status_code == 422
    assert (await response.get_json())["code"] == "VALIDATION_ERROR"


def test_streams_refuses_an_empty_event_list() -> None:
    with pytest.raises(ValueError):
        streams()


async def test_idempotent_creates_document_their_header_and_its_errors(client) -> None:  # type: ignore[no-untyped-def]
    spec = await (await client.get("/openapi.json")).get_json()
    create = spec["paths"]["/api/epics"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
    assert "INVALID_IDEMPOTENCY_KEY" in create["responses"]["400"]["description"]
    assert "IDEMPOTENCY_KEY_REUSED" in create["responses"]["422"]["description"]
    listing = spec["paths"]["/api/epics"]["get"]
    assert not any(p["name"] == "Idempotency-Key" for p in listing.get("parameters", []))


async def test_routes_without_the_database_do_not_promise_a_503(client) -> None:  # type: ignore[no-untyped-def]
    spec = await (await client.get("/openapi.json")).get_json()
    for path in ("/api/health", "/api/", "/api/subscription/pricing"):
        assert "503" not in spec["paths"][path]["get"]["responses"], path
    assert "503" in spec["paths"]["/api/ready"]["get"]["responses"]
