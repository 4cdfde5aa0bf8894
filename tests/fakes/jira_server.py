"""A fake Jira Cloud: Atlassian's token endpoint (codes, rotating refresh tokens, revoked grants), the
accessible resources, and the REST API v3 of one site, reached through the gateway with a Bearer token
(`/ex/jira/<cloudId>/rest/api/3/...`) or directly with Basic auth (`/rest/api/3/...`, the direct export).

It holds the issues it was given (key, type, fields, parent) and enforces what Jira Cloud enforces about
them: the project and issue type exist, descriptions are Atlassian Document Format, only known fields
are set, and a parent sits one level up (Epic above Story/Task/Bug above Sub-task).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from typing import Any

from quart import Response, jsonify, request

from tests.fakes.tracker_server import FakeTracker

CLOUD_ID = "2f4d8c1e-6b7a-4e2b-9c3d-5a1f0e7b8c9d"
SITE_NAME = "nursing"
CLIENT_ID = "jira-client-id"
CLIENT_SECRET = "jira-client-secret"
EMAIL = "pat@nursing.example"
API_TOKEN = "jira-api-token"
PROJECT = {"id": "10000", "key": "PROJ", "name": "Nursing", "projectTypeKey": "software"}
ISSUE_TYPES = [
    {"id": "10001", "name": "Epic", "description": "A big piece of work", "subtask": False, "hierarchyLevel": 1},
    {"id": "10002", "name": "Story", "description": "A user story", "subtask": False, "hierarchyLevel": 0},
    {"id": "10003", "name": "Task", "description": "A task", "subtask": False, "hierarchyLevel": 0},
    {"id": "10004", "name": "Bug", "description": "A problem", "subtask": False, "hierarchyLevel": 0},
    {"id": "10005", "name": "Sub-task", "description": "Part of a task", "subtask": True, "hierarchyLevel": -1},
]
STORY_POINTS = "customfield_10016"
EPIC_LINK = "customfield_10014"
FIELDS = [
    {"id": "summary", "name": "Summary", "custom": False, "schema": {"type": "string", "system": "summary"}},
    {"id": "description", "name": "Description", "custom": False, "schema": {"type": "string"}},
    {"id": "labels", "name": "Labels", "custom": False, "schema": {"type": "array", "items": "string"}},
    {"id": STORY_POINTS, "name": "Story point estimate", "custom": True, "schema": {"type": "number"}},
    {"id": EPIC_LINK, "name": "Epic Link", "custom": True, "schema": {"type": "any"}},
]
SETTABLE = {"project", "issuetype", "summary", "description", "labels", "parent", STORY_POINTS, EPIC_LINK}
ACCESS_LIFETIME = 3600


@dataclass
class Issue:
    id: str
    key: str
    issue_type: str
    fields: dict[str, Any]
    parent: str | None = None


@dataclass
class Grant:
    """One user's consent: its current token pair (the refresh token rotates)."""

    access_token: str
    refresh_token: str
    revoked: bool = False
    spent: set[str] = field(default_factory=set)


class FakeJira(FakeTracker):
    def __init__(self) -> None:
        super().__init__(name="jira")

    def reset_state(self) -> None:
        self.codes: set[str] = set()
        self.grants: list[Grant] = []
        self.sites = [{"id": CLOUD_ID, "name": SITE_NAME, "url": self.site_url, "scopes": [], "avatarUrl": ""}]
        self.issues: dict[str, Issue] = {}
        self.next_number = 1
        self.broken_summaries: dict[str, int] = {}
        # Atlassian documents 403 for a refused refresh token; tests may ask for 400 as well.
        self.revoked_status = 403

    # --- for tests ------------------------------------------------------------------------------
    @property
    def site_url(self) -> str:
        return f"https://{SITE_NAME}.atlassian.net"

    def authorize(self) -> str:
        """What Atlassian's consent page hands the browser: a fresh authorisation code."""
        code = f"code-{secrets.token_hex(8)}"
        self.codes.add(code)
        return code

    def expire_access_tokens(self) -> None:
        for grant in self.grants:
            grant.spent.add(grant.access_token)

    def revoke_grants(self) -> None:
        for grant in self.grants:
            grant.revoked = True

    def break_issue(self, summary: str, status: int = 500) -> None:
        """The next create of an issue with this summary fails with `status` (a failure mid-push)."""
        self.broken_summaries[summary] = status

    def by_summary(self) -> dict[str, Issue]:
        return {issue.fields["summary"]: issue for issue in self.issues.values()}

    # --- routes ---------------------------------------------------------------------------------
    def routes(self) -> None:
        app = self.app
        app.add_url_rule("/oauth/token", "token", self.token, methods=["POST"])
        app.add_url_rule("/oauth/token/accessible-resources", "resources", self.resources)
        for prefix, name in (("/ex/jira/<cloud_id>/rest/api/3", "cloud"), ("/rest/api/3", "site")):
            app.add_url_rule(f"{prefix}/myself", f"{name}_myself", self.myself)
            app.add_url_rule(f"{prefix}/serverInfo", f"{name}_server_info", self.server_info)
            app.add_url_rule(f"{prefix}/project/search", f"{name}_projects", self.projects)
            app.add_url_rule(f"{prefix}/project/<key>", f"{name}_project", self.project)
            app.add_url_rule(f"{prefix}/field", f"{name}_fields", self.fields)
            app.add_url_rule(f"{prefix}/issue", f"{name}_create", self.create_issue, methods=["POST"])
            app.add_url_rule(f"{prefix}/issue/<key>", f"{name}_get", self.get_issue, methods=["GET"])
            app.add_url_rule(f"{prefix}/issue/<key>", f"{name}_update", self.update_issue, methods=["PUT"])

    async def token(self) -> Response | tuple[Any, int]:
        body = await request.get_json(force=True, silent=True) or {}
        if body.get("client_id") != CLIENT_ID or body.get("client_secret") != CLIENT_SECRET:
            return {"error": "access_denied", "error_description": "Unauthorized"}, 401
        if body.get("grant_type") == "authorization_code":
            if body.get("code") not in self.codes:
                return {"error": "invalid_grant", "error_description": "Invalid authorization code"}, 403
            self.codes.discard(body["code"])
            grant = Grant(self._token("at"), self._token("rt"))
            self.grants.append(grant)
            return self._pair(grant)
        if body.get("grant_type") == "refresh_token":
            grant = next((g for g in self.grants if g.refresh_token == body.get("refresh_token")), None)
            if grant is None or grant.revoked:
                refused = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}
                return refused, self.revoked_status
            grant.spent.add(grant.access_token)
            grant.access_token, grant.refresh_token = self._token("at"), self._token("rt")
            return self._pair(grant)
        return {"error": "unsupported_grant_type"}, 400

    async def resources(self) -> Response | tuple[Any, int]:
        if self._bearer() is None:
            return _unauthorized()
        return jsonify(self.sites)

    async def myself(self, cloud_id: str | None = None) -> Response | tuple[Any, int]:
        if not self._allowed(cloud_id):
            return _unauthorized()
        return {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Pat", "emailAddress": EMAIL}

    async def server_info(self, cloud_id: str | None = None) -> Response | tuple[Any, int]:
        if not self._allowed(cloud_id):
            return _unauthorized()
        return {"baseUrl": self.site_url, "version": "1001.0.0", "deploymentType": "Cloud", "serverTitle": "Jira"}

    async def projects(self, cloud_id: str | None = None) -> Response | tuple[Any, int]:
        if not self._allowed(cloud_id):
            return _unauthorized()
        return {"values": [PROJECT], "startAt": 0, "maxResults": 50, "total": 1, "isLast": True}

    async def project(self, key: str, cloud_id: str | None = None) -> Response | tuple[Any, int]:
        if not self._allowed(cloud_id):
            return _unauthorized()
        if key != PROJECT["key"]:
            return {"errorMessages": ["No project could be found with key '" + key + "'."]}, 404
        return {**PROJECT, "issueTypes": ISSUE_TYPES}

    async def fields(self, cloud_id: str | None = None) -> Response | tuple[Any, int]:
        if not self._allowed(cloud_id):
            return _unauthorized()
        return jsonify(FIELDS)

    async def create_issue(self, cloud_id: str | None = None) -> Response | tuple[Any, int]:
        if not self._allowed(cloud_id):
            return _unauthorized()
        fields = ((await request.get_json(force=True, silent=True)) or {}).get("fields") or {}
        broken = self.broken_summaries.pop(str(fields.get("summary")), None)
        if broken is not None:
            return {"errorMessages": ["Internal server error"]}, broken
        if (fields.get("project") or {}).get("key") != PROJECT["key"]:
            return {"errorMessages": [], "errors": {"project": "valid project is required"}}, 400
        kind = next((t for t in ISSUE_TYPES if t["name"] == (fields.get("issuetype") or {}).get("name")), None)
        if kind is None:
            return {"errorMessages": [], "errors": {"issuetype": "valid issue type is required"}}, 400
        problem = self._invalid(fields, kind)
        if problem:
            return {"errorMessages": [], "errors": problem}, 400
        key = f"{PROJECT['key']}-{self.next_number}"
        issue = Issue(str(10000 + self.next_number), key, kind["name"], {}, None)
        self.next_number += 1
        self._apply(issue, fields)
        self.issues[key] = issue
        return {"id": issue.id, "key": key, "self": f"{self.site_url}/rest/api/3/issue/{issue.id}"}, 201

    async def update_issue(self, key: str, cloud_id: str | None = None) -> Response | tuple[Any, int]:
        if not self._allowed(cloud_id):
            return _unauthorized()
        issue = self.issues.get(key)
        if issue is None:
            return {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}, 404
        fields = ((await request.get_json(force=True, silent=True)) or {}).get("fields") or {}
        kind = next(t for t in ISSUE_TYPES if t["name"] == issue.issue_type)
        problem = self._invalid(fields, kind, creating=False)
        if problem:
            return {"errorMessages": [], "errors": problem}, 400
        self._apply(issue, fields)
        return Response("", status=204)

    async def get_issue(self, key: str, cloud_id: str | None = None) -> Response | tuple[Any, int]:
        if not self._allowed(cloud_id):
            return _unauthorized()
        issue = self.issues.get(key)
        if issue is None:
            return {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}, 404
        parent = {"parent": {"key": issue.parent}} if issue.parent else {}
        return {
            "id": issue.id,
            "key": key,
            "fields": {**issue.fields, "issuetype": {"name": issue.issue_type}, **parent},
        }

    # --- rules ----------------------------------------------------------------------------------
    def _invalid(self, fields: dict[str, Any], kind: dict[str, Any], *, creating: bool = True) -> dict[str, str]:
        unknown = sorted(set(fields) - SETTABLE)
        if unknown:
            return {
                name: f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
                for name in unknown
            }
        if creating and not fields.get("summary"):
            return {"summary": "You must specify a summary of the issue."}
        description = fields.get("description")
        if description is not None and not _is_adf(description):
            return {"description": "Operation value must be an Atlassian Document (see the Atlassian Document Format)"}
        parent_key = (fields.get("parent") or {}).get("key") or fields.get(EPIC_LINK)
        if parent_key is not None:
            parent = self.issues.get(parent_key)
            if parent is None:
                return {"parent": "Could not find issue by id or key."}
            level = next(t["hierarchyLevel"] for t in ISSUE_TYPES if t["name"] == parent.issue_type)
            if level != kind["hierarchyLevel"] + 1:
                return {"parent": f"Issue type '{kind['name']}' cannot have parent of type '{parent.issue_type}'."}
        elif creating and kind["subtask"]:
            return {"parent": "Sub-tasks must have a parent."}
        return {}

    def _apply(self, issue: Issue, fields: dict[str, Any]) -> None:
        for name, value in fields.items():
            if name in ("project", "issuetype"):
                continue
            if name in ("parent", EPIC_LINK):
                issue.parent = (value or {}).get("key") if name == "parent" else value
                continue
            issue.fields[name] = value

    # --- auth -----------------------------------------------------------------------------------
    @staticmethod
    def _token(kind: str) -> str:
        return f"{kind}-{secrets.token_hex(12)}"

    @staticmethod
    def _pair(grant: Grant) -> dict[str, Any]:
        return {
            "access_token": grant.access_token,
            "refresh_token": grant.refresh_token,
            "expires_in": ACCESS_LIFETIME,
            "scope": "read:jira-work write:jira-work read:jira-user offline_access",
            "token_type": "Bearer",
        }

    def _bearer(self) -> Grant | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer":
            return None
        return next(
            (g for g in self.grants if g.access_token == token and token not in g.spent and not g.revoked), None
        )

    def _allowed(self, cloud_id: str | None) -> bool:
        """Through the gateway: a live Bearer token for this cloud id; at the site: Basic credentials."""
        if cloud_id is not None:
            return cloud_id == CLOUD_ID and self._bearer() is not None
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        expected = base64.b64encode(f"{EMAIL}:{API_TOKEN}".encode()).decode()
        return scheme == "Basic" and credentials == expected


def _unauthorized() -> tuple[dict[str, Any], int]:
    return {"code": 401, "message": "Unauthorized; scope does not match"}, 401


def _is_adf(value: Any) -> bool:
    if not isinstance(value, dict) or value.get("type") != "doc" or value.get("version") != 1:
        return False

    def valid(node: Any) -> bool:
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            return False
        if node["type"] == "text" and not node.get("text"):
            return False  # Jira refuses empty text nodes
        return all(valid(child) for child in node.get("content") or [])

    return all(valid(child) for child in value.get("content") or [])
