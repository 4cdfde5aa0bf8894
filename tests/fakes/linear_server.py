"""A fake Linear: the OAuth token endpoint and a GraphQL endpoint that understands, by operation name,
the operations JarlPM sends, holding what a workspace would (teams, projects, labels, issues with their
identifiers ENG-1, ENG-2, …, urls and parents), so tests assert what Linear holds after a push.

Like Linear it wants `Authorization: Bearer <access token>` on /graphql and answers an unknown or
revoked token with an authentication error (HTTP 400 and `errors[].extensions.code =
AUTHENTICATION_ERROR`), and refusals with HTTP 200 and an `errors` array. `reject(operation, message)`
makes the next matching operation (after `after` successful ones) fail that way.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from quart import Response, jsonify, request

from tests.fakes.tracker_server import FakeTracker

CLIENT_ID = "linear-client-id"
CLIENT_SECRET = "linear-client-secret-value"
WORKSPACE = "acme"
AUTHENTICATION_ERROR = {
    "message": "Authentication required, not authenticated",
    "extensions": {
        "type": "authentication error",
        "code": "AUTHENTICATION_ERROR",
        "userPresentableMessage": "You need to authenticate to access this operation.",
    },
}


class GraphQLRefusal(Exception):
    """An operation Linear refuses: HTTP 200 with an `errors` array."""


@dataclass
class Rejection:
    operation: str
    message: str
    times: int
    after: int


class FakeLinear(FakeTracker):
    def __init__(self) -> None:
        super().__init__(name="linear")

    # --- what Linear holds ---------------------------------------------------------------------
    def reset_state(self) -> None:
        self.codes: set[str] = set()
        self.access_tokens: dict[str, float | None] = {}  # token -> expiry (monotonic) or None
        self.refresh_tokens: set[str] = set()
        self.expires_in: int | None = 86_399
        self.rejections: list[Rejection] = []
        self.teams = {
            "team-eng": {"id": "team-eng", "name": "Engineering", "key": "ENG"},
            "team-ops": {"id": "team-ops", "name": "Operations", "key": "OPS"},
        }
        self.projects: dict[str, dict[str, Any]] = {
            "proj-mobile": {
                "id": "proj-mobile",
                "name": "Mobile app",
                "state": "started",
                "teamIds": ["team-eng"],
                "url": f"https://linear.app/{WORKSPACE}/project/mobile-app",
            }
        }
        self.labels: dict[str, dict[str, Any]] = {
            "label-frontend": {"id": "label-frontend", "name": "Frontend", "color": "#5e6ad2", "teamId": "team-eng"},
            "label-urgent": {"id": "label-urgent", "name": "urgent", "color": "#eb5757", "teamId": None},
        }
        self.issues: dict[str, dict[str, Any]] = {}
        self.numbers: dict[str, int] = {}

    # --- for tests -----------------------------------------------------------------------------
    def new_code(self) -> str:
        """An authorization code, as Linear's consent screen would hand the browser."""
        code = secrets.token_urlsafe(16)
        self.codes.add(code)
        return code

    def revoke_all(self) -> None:
        """The user removed the app in Linear: no token works any more."""
        self.access_tokens.clear()
        self.refresh_tokens.clear()

    def reject(self, operation: str, message: str, *, times: int = 1, after: int = 0) -> None:
        """The next `times` calls of `operation`, after `after` more that succeed, are refused."""
        self.rejections.append(Rejection(operation, message, times, after))

    def operations(self) -> list[str]:
        """The GraphQL operations received, oldest first, by name."""
        return [
            str((item.body or {}).get("operationName"))
            for item in self.requests("POST", "/graphql")
            if isinstance(item.body, dict)
        ]

    def issue(self, title: str) -> dict[str, Any]:
        [found] = [issue for issue in self.issues.values() if issue["title"] == title]
        return found

    def label_names(self, issue: dict[str, Any]) -> list[str]:
        return sorted(self.labels[label_id]["name"] for label_id in issue["labelIds"])

    # --- endpoints -----------------------------------------------------------------------------
    def routes(self) -> None:
        self.app.post("/oauth/token")(self._token)
        self.app.post("/oauth/revoke")(self._revoke)
        self.app.post("/graphql")(self._graphql)

    async def _token(self) -> Response | tuple[Response, int]:
        form = await request.form
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return jsonify({"error": "invalid_client"}), 401
        grant = form.get("grant_type")
        if grant == "authorization_code" and form.get("code") in self.codes:
            self.codes.discard(form["code"])
        elif grant == "refresh_token" and form.get("refresh_token") in self.refresh_tokens:
            self.refresh_tokens.discard(form["refresh_token"])
        else:
            return jsonify({"error": "invalid_grant"}), 400
        access, refresh = f"lin_oauth_{secrets.token_hex(12)}", f"lin_refresh_{secrets.token_hex(12)}"
        self.access_tokens[access] = time.monotonic() + self.expires_in if self.expires_in else None
        self.refresh_tokens.add(refresh)
        answer: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "scope": ["read", "write"],
            "refresh_token": refresh,
        }
        if self.expires_in:
            answer["expires_in"] = self.expires_in
        return jsonify(answer)

    async def _revoke(self) -> Response | tuple[Response, int]:
        token = self._bearer()
        if token is None or token not in self.access_tokens:
            return jsonify({"error": "invalid_token"}), 400
        del self.access_tokens[token]
        return jsonify({})

    def _bearer(self) -> str | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return token if scheme == "Bearer" and token else None

    def _authenticated(self) -> bool:
        token = self._bearer()
        if token is None or token not in self.access_tokens:
            return False
        expiry = self.access_tokens[token]
        return expiry is None or expiry > time.monotonic()

    async def _graphql(self) -> Response | tuple[Response, int]:
        if not self._authenticated():
            return jsonify({"errors": [AUTHENTICATION_ERROR]}), 400
        body = await request.get_json(force=True, silent=True) or {}
        operation = str(body.get("operationName"))
        variables = body.get("variables") or {}
        handler = getattr(self, f"op_{operation}", None)
        if handler is None:
            return jsonify({"errors": [{"message": f"Unknown operation {operation}"}]}), 400
        try:
            self._maybe_reject(operation)
            return jsonify({"data": handler(variables)})
        except GraphQLRefusal as refusal:
            error = {
                "message": str(refusal),
                "extensions": {
                    "type": "invalid input",
                    "code": "INVALID_INPUT",
                    "userPresentableMessage": str(refusal),
                },
            }
            return jsonify({"data": None, "errors": [error]})

    def _maybe_reject(self, operation: str) -> None:
        for rejection in self.rejections:
            if rejection.operation != operation:
                continue
            if rejection.after > 0:
                rejection.after -= 1
                return
            rejection.times -= 1
            if rejection.times == 0:
                self.rejections.remove(rejection)
            raise GraphQLRefusal(rejection.message)

    # --- operations ----------------------------------------------------------------------------
    def op_Viewer(self, variables: dict[str, Any]) -> dict[str, Any]:
        return {
            "viewer": {"id": "user-1", "name": "Pat Lee", "email": "pat@acme.test"},
            "organization": {"id": "org-1", "name": "Acme Health", "urlKey": WORKSPACE},
        }

    def op_Teams(self, variables: dict[str, Any]) -> dict[str, Any]:
        return {"teams": {"nodes": list(self.teams.values())}}

    def _team(self, team_id: Any) -> dict[str, Any] | None:
        return self.teams.get(str(team_id))

    def op_TeamProjects(self, variables: dict[str, Any]) -> dict[str, Any]:
        team = self._team(variables.get("teamId"))
        if team is None:
            return {"team": None}
        nodes = [
            {key: project[key] for key in ("id", "name", "state", "url")}
            for project in self.projects.values()
            if team["id"] in project["teamIds"]
        ]
        return {"team": {"id": team["id"], "projects": {"nodes": nodes}}}

    def op_TeamLabels(self, variables: dict[str, Any]) -> dict[str, Any]:
        team = self._team(variables.get("teamId"))
        if team is None:
            return {"team": None}
        nodes = [
            {"id": label["id"], "name": label["name"], "color": label["color"]}
            for label in self.labels.values()
            if label["teamId"] == team["id"]
        ]
        return {"team": {"id": team["id"], "labels": {"nodes": nodes}}}

    def op_Labels(self, variables: dict[str, Any]) -> dict[str, Any]:
        nodes = []
        for label in self.labels.values():
            team = self.teams.get(label["teamId"] or "")
            nodes.append(
                {
                    "id": label["id"],
                    "name": label["name"],
                    "color": label["color"],
                    "team": {"id": team["id"], "name": team["name"]} if team else None,
                }
            )
        return {"issueLabels": {"nodes": nodes}}

    def op_IssueLabelCreate(self, variables: dict[str, Any]) -> dict[str, Any]:
        fields = variables["input"]
        if self._team(fields.get("teamId")) is None:
            raise GraphQLRefusal("Entity not found: Team")
        name = str(fields.get("name") or "").strip()
        taken = [
            label
            for label in self.labels.values()
            if label["name"].lower() == name.lower() and label["teamId"] == fields["teamId"]
        ]
        if not name or taken:
            raise GraphQLRefusal("Argument Validation Error: name: a label with this name already exists")
        label = {"id": f"label-{uuid.uuid4()}", "name": name, "color": "#bec2c8", "teamId": fields["teamId"]}
        self.labels[label["id"]] = label
        return {"issueLabelCreate": {"success": True, "issueLabel": {"id": label["id"], "name": name}}}

    def _check_issue_fields(self, fields: dict[str, Any], issue_id: str | None = None) -> None:
        if "title" in fields and not str(fields["title"] or "").strip():
            raise GraphQLRefusal("Argument Validation Error: title should not be empty")
        if "teamId" in fields and self._team(fields["teamId"]) is None:
            raise GraphQLRefusal("Entity not found: Team")
        if fields.get("parentId") and (fields["parentId"] == issue_id or fields["parentId"] not in self.issues):
            raise GraphQLRefusal("Entity not found: Parent issue")
        if fields.get("projectId") and fields["projectId"] not in self.projects:
            raise GraphQLRefusal("Entity not found: Project")
        if any(label_id not in self.labels for label_id in fields.get("labelIds") or []):
            raise GraphQLRefusal("Entity not found: IssueLabel")
        if not isinstance(fields.get("priority", 0), int) or not 0 <= fields.get("priority", 0) <= 4:
            raise GraphQLRefusal("Argument Validation Error: priority must be between 0 and 4")

    def _issue_answer(self, issue: dict[str, Any], field: str) -> dict[str, Any]:
        return {field: {"success": True, "issue": {key: issue[key] for key in ("id", "identifier", "url")}}}

    def op_IssueCreate(self, variables: dict[str, Any]) -> dict[str, Any]:
        fields = dict(variables["input"])
        if "teamId" not in fields or "title" not in fields:
            raise GraphQLRefusal("Argument Validation Error: teamId and title are required")
        self._check_issue_fields(fields)
        team = self.teams[fields["teamId"]]
        self.numbers[team["id"]] = number = self.numbers.get(team["id"], 0) + 1
        identifier = f"{team['key']}-{number}"
        issue = {
            "id": str(uuid.uuid4()),
            "identifier": identifier,
            "url": f"https://linear.app/{WORKSPACE}/issue/{identifier}",
            "teamId": team["id"],
            "title": fields["title"],
            "description": fields.get("description"),
            "priority": fields.get("priority", 0),
            "parentId": fields.get("parentId"),
            "projectId": fields.get("projectId"),
            "labelIds": list(fields.get("labelIds") or []),
        }
        self.issues[issue["id"]] = issue
        return self._issue_answer(issue, "issueCreate")

    def op_IssueUpdate(self, variables: dict[str, Any]) -> dict[str, Any]:
        issue = self.issues.get(str(variables.get("id")))
        if issue is None:
            raise GraphQLRefusal("Entity not found: Issue")
        fields = dict(variables["input"])
        self._check_issue_fields(fields, issue["id"])
        for key in ("teamId", "title", "description", "priority", "parentId", "projectId", "labelIds"):
            if key in fields:
                issue[key] = fields[key]
        return self._issue_answer(issue, "issueUpdate")

    def _project_answer(self, project: dict[str, Any], field: str) -> dict[str, Any]:
        return {field: {"success": True, "project": {key: project[key] for key in ("id", "name", "url")}}}

    def op_ProjectCreate(self, variables: dict[str, Any]) -> dict[str, Any]:
        fields = dict(variables["input"])
        if not str(fields.get("name") or "").strip() or not fields.get("teamIds"):
            raise GraphQLRefusal("Argument Validation Error: name and teamIds are required")
        if len(fields.get("description") or "") > 255:
            raise GraphQLRefusal("Argument Validation Error: description must be shorter than 256 characters")
        project_id = str(uuid.uuid4())
        project = {
            "id": project_id,
            "name": fields["name"],
            "state": "planned",
            "teamIds": list(fields["teamIds"]),
            "description": fields.get("description"),
            "content": fields.get("content"),
            "url": f"https://linear.app/{WORKSPACE}/project/{project_id[:8]}",
        }
        self.projects[project_id] = project
        return self._project_answer(project, "projectCreate")

    def op_ProjectUpdate(self, variables: dict[str, Any]) -> dict[str, Any]:
        project = self.projects.get(str(variables.get("id")))
        if project is None:
            raise GraphQLRefusal("Entity not found: Project")
        for key, value in dict(variables["input"]).items():
            project[key] = value
        return self._project_answer(project, "projectUpdate")
