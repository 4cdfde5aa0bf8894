"""A hostile second pass over the rooms that landed last: the wizard, usage, export and integrations.

Every route under their prefixes (read from the app's url_map, so a new route is probed without
editing this file) gets, from a signed-in user, wrong JSON types in every body field, missing and
non-JSON bodies, path ids that are another user's, unknown, very long or odd, and bad query values.
None may answer 5xx (save an intentional 502/503 naming its code), every 4xx names detail and code,
and the other user's rows stay exactly as they were.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from pydantic import BaseModel
from quart_schema.validation import QUART_SCHEMA_QUERYSTRING_ATTRIBUTE, QUART_SCHEMA_REQUEST_ATTRIBUTE

from jarlpm.http.auth import ACCESS_ATTRIBUTE
from tests.builders import create_epic, locked_epic
from tests.db.helpers import database_outage, fetch
from tests.helpers import User
from tests.integrations_azure_devops.helpers import PAT, PROJECT, connect
from tests.wizard_save.helpers import initiative

PREFIXES = ("/api/initiative/", "/api/usage", "/api/export", "/api/integrations")
BODY_BUDGET = 1_500_000  # characters of huge strings per body: well under the 2 MiB limit
NUL_TEXT = "\u0000 NUL"
# Without a NUL (which the core refuses first), so a lone surrogate reaches the handler, the SQL and the writers.
ODD_TEXT = "\ud800 lone surrogate \udfff, ü \U0001d54f \u202e"
# Wrong types for any field; the JSON text is built by hand below so `\ud800` reaches the server as sent.
HOSTILE: list[Any] = ["??", "", 12345, -1, 10**30, 1.5e308, True, None, {"a": {"b": [None]}}, [[]], ODD_TEXT, NUL_TEXT]
NESTED_HOSTILE: list[Any] = [None, 12345, ODD_TEXT, {"a": 1}]
BAD_BODIES: list[tuple[bytes, str | None]] = [
    (b"", None),
    (b"not json{", "application/json"),
    (b"[1, 2]", "application/json"),
    (b'"a string"', "application/json"),
    (b"null", "application/json"),
    (b"\xff\xfe\x00", "application/json"),
    (b'{"a": 1}', "text/plain"),
    (b"[" * 5000, "application/json"),
]
BAD_QUERY = ["abc", "-1", "0", "99999999999999999999", "1e309", "%00", "%ud800", "", "true", "%C3%BC" * 300]
JIRA_TOKEN = "jira-probe-secret-0123456789"
SECRETS = (JIRA_TOKEN, PAT)  # never in an answer or a log line, whatever happens
# Direct-export credentials aimed at a closed loopback port: the provider-failure path, with no traffic out.
CLOSED = "http://127.0.0.1:9"
DIRECT = {
    "jira_base_url": CLOSED,
    "jira_email": "pat@jarlpm.dev",
    "jira_api_token": JIRA_TOKEN,
    "jira_project_key": "WARD",
    "organization": CLOSED,
    "project": PROJECT,
    "pat": PAT,
}
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
ODD_IDS = ["x" * 2000, "a%00b", "..", "..%2F..%2Fetc", "%C3%BC%F0%9D%95%8F", UNKNOWN_ID, "epic_deadbeef"]


def room_rules(app) -> list[tuple[str, str, Any]]:  # type: ignore[no-untyped-def]
    """(method, rule, view function) for every route of the probed rooms."""
    quart_app = app.app
    rules = []
    for rule in quart_app.url_map.iter_rules():
        if rule.rule.startswith(PREFIXES):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                rules.append((method, rule.rule, quart_app.view_functions[rule.endpoint]))
    return sorted(rules, key=lambda item: (item[1], item[0]))


def body_model(view: Any) -> type[BaseModel] | None:
    schema = getattr(view, QUART_SCHEMA_REQUEST_ATTRIBUTE, None)
    return schema[0] if schema else None


def query_model(view: Any) -> type[BaseModel] | None:
    return getattr(view, QUART_SCHEMA_QUERYSTRING_ATTRIBUTE, None)


def field_names(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def fill(rule: str, value: str) -> str:
    """The rule with every <converter:name> replaced by the value."""
    path, rest = "", rule
    while "<" in rest:
        head, _, tail = rest.partition("<")
        path += head + value
        rest = tail.partition(">")[2]
    return path + rest


def to_json(value: Any) -> bytes:
    # ensure_ascii keeps a lone surrogate as the escape `\ud800`, which is how a hostile client sends it.
    return json.dumps(value, ensure_ascii=True).encode()


FINDINGS: list[str] = []  # every broken answer of a test, reported together at its end


async def check(response, what: str) -> int:  # type: ignore[no-untyped-def]
    status = response.status_code
    text = await response.get_data(as_text=True)
    if status >= 500 and status not in (502, 503):
        FINDINGS.append(f"{what}: {status} {text[:200]}")
    if any(secret in text for secret in SECRETS):
        FINDINGS.append(f"{what}: a secret in the answer: {text[:200]}")
    if status >= 400:
        body = json.loads(text)
        if not ("detail" in body and "code" in body):
            FINDINGS.append(f"{what}: {status} without detail and code: {text[:200]}")
    return status


async def send(user: User, method: str, path: str, data: bytes | None = None, ctype: str | None = None) -> int:
    headers = {"Content-Type": ctype} if ctype else {}
    response = await user.call(method, path, data=data, headers=headers)
    return await check(response, f"{method} {path[:120]} {(data or b'')[:120]!r}")


def base_body(model: type[BaseModel], epic_id: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    if model.__name__ == "SaveIn":
        return initiative()
    names = field_names(model)
    body: dict[str, Any] = {name: value for name, value in (extra or {}).items() if name in names}
    body.update({name: epic_id for name in names if name.endswith("epic_id") or name == "entity_id"})
    if "format" in names:
        body["format"] = "json"
    return body


def nested_paths(value: Any, path: tuple[Any, ...] = (), depth: int = 0) -> list[tuple[Any, ...]]:
    """Every key path below the top level of a body, a few levels deep (first list item only)."""
    paths: list[tuple[Any, ...]] = []
    if depth > 3:
        return paths
    if isinstance(value, dict):
        for key, item in value.items():
            if depth:
                paths.append((*path, key))
            paths.extend(nested_paths(item, (*path, key), depth + 1))
    elif isinstance(value, list) and value:
        paths.extend(nested_paths(value[0], (*path, 0), depth + 1))
    return paths


def replaced(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    copied = copy.deepcopy(body)
    target = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copied


OWNED = {
    "epics": "SELECT t.* FROM epics t WHERE t.user_id = $1",
    "features": "SELECT t.* FROM features t JOIN epics e USING (epic_id) WHERE e.user_id = $1",
    "user_stories": "SELECT t.* FROM user_stories t WHERE t.user_id = $1",
    "external_integrations": "SELECT t.* FROM external_integrations t WHERE t.user_id = $1",
    "external_push_mappings": "SELECT t.* FROM external_push_mappings t WHERE t.user_id = $1",
}


async def owned_rows(database_url: str, email: str) -> list[dict]:
    """Everything of the user's that the probed rooms could touch, as comparable rows."""
    [user] = await fetch(database_url, "SELECT user_id FROM users WHERE email = $1", email)
    rows = []
    for table, sql in OWNED.items():
        rows.extend({"table": table, **row} for row in await fetch(database_url, sql, user["user_id"]))
    return sorted(rows, key=repr)


async def probe(
    pm: User, rules: list[tuple[str, str, Any]], own_epic: str, foreign_ids: list[str], **base: Any
) -> None:
    """Every hostile input at every rule, as pm; `base` adds fields a body needs to get past its first check."""
    for method, rule, view in rules:
        concrete = fill(rule, own_epic)
        model, query = body_model(view), query_model(view)
        # Path ids: someone else's, unknown, long, with NUL, traversal and unicode.
        if "<" in rule:
            for odd in [*foreign_ids, *ODD_IDS]:
                status = await send(pm, method, fill(rule, odd), b"{}", "application/json")
                if odd in foreign_ids and rule.startswith(("/api/export/preview", "/api/integrations/mappings")):
                    assert status in (200, 404), f"{method} {rule} with another user's id: {status}"
        # Bodies: absent, not JSON, not an object, and every field given every wrong type.
        if method in ("POST", "PUT", "PATCH"):
            for raw, ctype in BAD_BODIES:
                await send(pm, method, concrete, raw, ctype)
            if model is not None:
                valid = base_body(model, own_epic, base)
                for name in field_names(model):
                    for value in HOSTILE:
                        await send(pm, method, concrete, to_json({**valid, name: value}), "application/json")
                for path in nested_paths(valid):
                    for value in NESTED_HOSTILE:
                        await send(pm, method, concrete, to_json(replaced(valid, path, value)), "application/json")
                names = field_names(model)
                huge = {**valid, **{name: "é" * (BODY_BUDGET // 6 // len(names)) for name in names}}
                await send(pm, method, concrete, to_json(huge), "application/json")  # é travels as \u00e9
                await send(pm, method, concrete, to_json({**valid, names[0]: "x" * 1_000_000}), "application/json")
                if any(name.endswith("epic_id") for name in field_names(model)):
                    for foreign in foreign_ids:
                        body = to_json(base_body(model, foreign, base))
                        status = await send(pm, method, concrete, body, "application/json")
                        assert status >= 400, f"{method} {rule} accepted another user's epic: {status}"
        # Query strings: every known name and a few common ones, with bad values.
        names = {"days", "limit", "offset", "include_bugs", "provider", *(field_names(query) if query else [])}
        for name in sorted(names):
            for value in BAD_QUERY:
                await send(pm, method, f"{concrete}?{name}={value}", b"{}", "application/json")


async def test_every_route_survives_hostile_input(app, pm, other, fake_llm, database_url, caplog) -> None:  # type: ignore[no-untyped-def]
    own_epic = await locked_epic(pm, fake_llm)
    foreign_epic = await locked_epic(other, fake_llm, title="Oz's epic")
    draft = (await create_epic(other, "Oz's draft"))["epic_id"]
    before = await owned_rows(database_url, "other@jarlpm.dev")
    rules = room_rules(app)
    assert any(rule.startswith("/api/initiative/") for _, rule, _ in rules)

    FINDINGS.clear()
    await probe(pm, rules, own_epic, [foreign_epic, draft], **DIRECT)
    assert not FINDINGS, "\n".join(FINDINGS)

    for file_format in ("jira_csv", "azure_devops_csv", "json", "markdown"):
        body = to_json({"epic_id": foreign_epic, "format": file_format})
        assert await send(pm, "POST", "/api/export/file", body, "application/json") == 404
    assert await owned_rows(database_url, "other@jarlpm.dev") == before

    # The other way round: Oz names pm's epic in every path and body, and pm's rows stay as they are.
    pm_before = await owned_rows(database_url, "pm@jarlpm.dev")
    for method, rule, view in rules:
        model = body_model(view)
        body = base_body(model, own_epic, DIRECT) if model is not None else {}
        status = await send(other, method, fill(rule, own_epic), to_json(body), "application/json")
        if "epic_id" in body or "<epic_id>" in rule:
            assert status >= 400 and status != 422, f"{method} {rule}: Oz got {status} for pm's epic"
    assert not FINDINGS, "\n".join(FINDINGS)
    assert await owned_rows(database_url, "pm@jarlpm.dev") == pm_before
    assert not any(secret in caplog.text for secret in SECRETS)


async def test_connected_tracker_routes_survive_hostile_input(
    app, pm, other, fake_llm, ado, database_url, caplog
) -> None:  # type: ignore[no-untyped-def]
    """Connected to Azure DevOps (a PAT on the fake organisation), past the "not connected" answers."""
    own_epic = await locked_epic(pm, fake_llm)
    foreign_epic = await locked_epic(other, fake_llm, title="Oz's epic")
    for user in (pm, other):
        assert (await connect(user, ado)).status_code == 200
    body = {"epic_id": foreign_epic, "project_name": PROJECT, "include_bugs": True}
    assert (await other.post("/api/integrations/azure-devops/push", json=body)).status_code == 200
    before = await owned_rows(database_url, "other@jarlpm.dev")
    assert any(row["table"] == "external_push_mappings" for row in before)
    # Oz's pushed epic has mappings; to pm they do not exist.
    seen = await pm.get(f"/api/integrations/mappings/{foreign_epic}")
    assert seen.status_code == 404 or not (await seen.get_json()).get("mappings"), await seen.get_data(as_text=True)
    rules = [rule for rule in room_rules(app) if "azure-devops" in rule[1] or "/integrations/" in rule[1]]
    rules = [rule for rule in rules if not rule[1].endswith("/disconnect") and "/jira" not in rule[1]]
    rules = [rule for rule in rules if "/linear" not in rule[1] and not rule[1].endswith("/connect")]

    FINDINGS.clear()
    await probe(
        pm,
        rules,
        own_epic,
        [foreign_epic],
        project_name=PROJECT,
        organization_url=ado.org_url,
        **{**DIRECT, "organization": ado.org_url},
    )
    assert not FINDINGS, "\n".join(FINDINGS)

    assert await owned_rows(database_url, "other@jarlpm.dev") == before
    assert not any(secret in caplog.text for secret in SECRETS)
    assert (await pm.get("/api/integrations/azure-devops/test")).status_code == 200


async def test_a_database_outage_is_a_503_on_every_route(app, pm, fake_llm, pg_server, database_url) -> None:  # type: ignore[no-untyped-def]
    own_epic = await locked_epic(pm, fake_llm)
    bodies = {"/api/export/file": {"epic_id": own_epic, "format": "json"}, "/api/initiative/generate": {"idea": "x"}}
    FINDINGS.clear()
    async with database_outage(pg_server, database_url):
        for method, rule, _view in room_rules(app):
            body = to_json(bodies.get(rule, {"epic_id": own_epic}))
            if await send(pm, method, fill(rule, own_epic), body, "application/json") == 502:
                FINDINGS.append(f"{method} {rule}: 502 for the database's outage")
    assert not FINDINGS, "\n".join(FINDINGS)


async def test_no_session_or_a_forged_one_is_a_401_on_every_private_route(app, pm) -> None:  # type: ignore[no-untyped-def]
    forged = User(app, "forged-session-token")
    signed_out = User(app, "")
    signed_out.headers = {}
    FINDINGS.clear()
    for method, rule, view in room_rules(app):
        if getattr(view, ACCESS_ATTRIBUTE, None) != "user":
            continue
        for user in (forged, signed_out):
            # The session is read on the handler's first connection: a body refused before it is a 400/422.
            status = await send(user, method, fill(rule, "epic_deadbeef"), b"{}", "application/json")
            if status not in (400, 401, 422):
                FINDINGS.append(f"{method} {rule} without a valid session: {status}")
    assert not FINDINGS, "\n".join(FINDINGS)
