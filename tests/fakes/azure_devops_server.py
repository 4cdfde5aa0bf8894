"""A fake Azure DevOps organisation (REST, api-version 7.1) for the tests: projects, teams, iteration
and area trees, work item types and fields, and work items created and updated with JSON Patch.

It enforces what Azure DevOps enforces and JarlPM relies on: Basic auth with an empty user name and
the PAT; `application/json-patch+json` bodies of add/replace/remove operations; known fields and work
item types; one parent per work item (a System.LinkTypes.Hierarchy-Reverse relation to an existing
work item's URL); ids 1, 2, ... It keeps the work items with their fields and relations, so a test
asserts what Azure DevOps holds after a push (`held()`, `parent_of()`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from quart import Response, jsonify, request

from tests.fakes.tracker_server import FakeTracker

ORGANIZATION = "fabrikam"
PAT = "ado-pat-0123456789abcdefghijklmnopqrstuvwxyz"
PROJECTS = {
    "Ward App": "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c",
    "Pharmacy": "2d1c6f3e-7b35-4a8e-9a3c-6b1e51a0b1f4",
}
WORK_ITEM_TYPES = ("Epic", "Feature", "User Story", "Bug", "Task", "Issue")
PARENT_LINK = "System.LinkTypes.Hierarchy-Reverse"
FIELDS = {
    "System.Title": "string",
    "System.Description": "html",
    "System.Tags": "plainText",
    "System.AreaPath": "treePath",
    "System.IterationPath": "treePath",
    "System.State": "string",
    "System.TeamProject": "string",
    "System.WorkItemType": "string",
    "Microsoft.VSTS.Common.AcceptanceCriteria": "html",
    "Microsoft.VSTS.Common.Priority": "integer",
    "Microsoft.VSTS.Common.Severity": "string",
    "Microsoft.VSTS.TCM.ReproSteps": "html",
    "Microsoft.VSTS.Scheduling.StoryPoints": "double",
    "Microsoft.VSTS.Scheduling.Effort": "double",
}
READ_ONLY = {"System.TeamProject", "System.WorkItemType"}


@dataclass
class WorkItem:
    id: int
    type: str
    project: str
    fields: dict[str, Any]
    relations: list[dict[str, Any]] = field(default_factory=list)
    rev: int = 1


def _error(status: int, message: str) -> Response:
    response = jsonify({"$id": "1", "message": message, "typeKey": "FakeAzureDevOpsException"})
    response.status_code = status
    return response


class FakeAzureDevOps(FakeTracker):
    def __init__(self) -> None:
        super().__init__(name="azure-devops")

    # --- what a test reads --------------------------------------------------------------------
    @property
    def org_url(self) -> str:
        return f"{self.url}/{ORGANIZATION}"

    def reset_state(self) -> None:
        self.pat = PAT
        self.work_items: dict[int, WorkItem] = {}
        self.next_id = 1

    def parent_of(self, work_item_id: int) -> int | None:
        for relation in self.work_items[work_item_id].relations:
            if relation["rel"] == PARENT_LINK:
                return int(relation["url"].rstrip("/").rsplit("/", 1)[1])
        return None

    def by_title(self, title: str) -> WorkItem:
        [found] = [item for item in self.work_items.values() if item.fields.get("System.Title") == title]
        return found

    def held(self) -> list[tuple[int, str, str, int | None]]:
        """Every work item as (id, type, title, parent id)."""
        return [
            (item.id, item.type, item.fields.get("System.Title", ""), self.parent_of(item.id))
            for item in self.work_items.values()
        ]

    # --- the API ------------------------------------------------------------------------------
    def routes(self) -> None:
        app = self.app
        app.before_request(self._authenticate)
        app.add_url_rule("/<org>/_apis/projects", view_func=self._projects, methods=["GET"])
        app.add_url_rule("/<org>/_apis/projects/<project>/teams", view_func=self._teams, methods=["GET"])
        app.add_url_rule(
            "/<org>/<project>/_apis/wit/classificationnodes/<group>", view_func=self._nodes, methods=["GET"]
        )
        app.add_url_rule("/<org>/<project>/_apis/wit/workitemtypes", view_func=self._types, methods=["GET"])
        app.add_url_rule("/<org>/<project>/_apis/wit/fields", view_func=self._fields, methods=["GET"])
        app.add_url_rule("/<org>/<project>/_apis/wit/workitems/<kind>", view_func=self._create, methods=["POST"])
        app.add_url_rule("/<org>/_apis/wit/workitems/<int:item_id>", view_func=self._get, methods=["GET"])
        app.add_url_rule("/<org>/_apis/wit/workitems/<int:item_id>", view_func=self._update, methods=["PATCH"])

    async def _authenticate(self) -> Response | None:
        expected = "Basic " + base64.b64encode(f":{self.pat}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return _error(401, "TF400813: The user is not authorized to access this resource.")
        if request.args.get("api-version") != "7.1":
            return _error(400, "The requested REST API version is not supported.")
        return None

    def _check(self, org: str, project: str | None = None) -> Response | None:
        if org != ORGANIZATION:
            return _error(404, "The organization does not exist.")
        if project is not None and project not in PROJECTS:
            return _error(404, f"TF200016: The following project does not exist: {project}.")
        return None

    async def _projects(self, org: str) -> Response:
        refused = self._check(org)
        if refused:
            return refused
        value = [
            {"id": pid, "name": name, "description": f"{name} team", "state": "wellFormed", "visibility": "private"}
            for name, pid in PROJECTS.items()
        ]
        return jsonify({"count": len(value), "value": value})

    async def _teams(self, org: str, project: str) -> Response:
        refused = self._check(org, project)
        if refused:
            return refused
        team = {"id": f"team-{PROJECTS[project][:8]}", "name": f"{project} Team", "description": "The default team"}
        return jsonify({"count": 1, "value": [team]})

    async def _nodes(self, org: str, project: str, group: str) -> Response:
        refused = self._check(org, project)
        if refused:
            return refused
        if group == "iterations":
            children = [
                {
                    "id": 11 + number,
                    "name": f"Sprint {number}",
                    "path": f"\\{project}\\Iteration\\Sprint {number}",
                    "attributes": {
                        "startDate": f"2026-0{number}-01T00:00:00Z",
                        "finishDate": f"2026-0{number}-14T00:00:00Z",
                    },
                    "hasChildren": False,
                }
                for number in (1, 2)
            ]
            root = {"id": 10, "name": project, "path": f"\\{project}\\Iteration", "hasChildren": True}
        elif group == "areas":
            children = [{"id": 21, "name": "Ward", "path": f"\\{project}\\Area\\Ward", "hasChildren": False}]
            root = {"id": 20, "name": project, "path": f"\\{project}\\Area", "hasChildren": True}
        else:
            return _error(404, "No such classification group.")
        return jsonify({**root, "structureType": group[:-1], "children": children})

    async def _types(self, org: str, project: str) -> Response:
        refused = self._check(org, project)
        if refused:
            return refused
        value = [
            {"name": name, "description": f"{name} items", "color": "009CCC", "icon": {"url": f"https://icons/{name}"}}
            for name in WORK_ITEM_TYPES
        ]
        return jsonify({"count": len(value), "value": value})

    async def _fields(self, org: str, project: str) -> Response:
        refused = self._check(org, project)
        if refused:
            return refused
        value = [
            {"name": name.rsplit(".", 1)[1], "referenceName": name, "type": kind, "readOnly": name in READ_ONLY}
            for name, kind in FIELDS.items()
        ]
        value += [
            {"name": f"Custom {number}", "referenceName": f"Custom.Field{number}", "type": "string", "readOnly": False}
            for number in range(60)
        ]
        return jsonify({"count": len(value), "value": value})

    def _api_url(self, org: str, item_id: int) -> str:
        return f"{self.url}/{org}/_apis/wit/workItems/{item_id}"

    def _shown(self, org: str, item: WorkItem) -> Response:
        fields = {**item.fields, "System.TeamProject": item.project, "System.WorkItemType": item.type}
        return jsonify(
            {
                "id": item.id,
                "rev": item.rev,
                "fields": fields,
                "relations": item.relations,
                "url": self._api_url(org, item.id),
            }
        )

    async def _operations(self) -> list[dict[str, Any]] | Response:
        if request.mimetype != "application/json-patch+json":
            return _error(415, "The request must be application/json-patch+json.")
        body = await request.get_json(force=True, silent=True)
        if not isinstance(body, list) or not body:
            return _error(400, "You must pass a valid patch document in the body of the request.")
        return body

    def _apply(self, org: str, item: WorkItem, operations: list[dict[str, Any]]) -> str | None:
        """Apply a patch document to a copy; the reason it is refused, or None once applied."""
        fields, relations = dict(item.fields), list(item.relations)
        for operation in operations:
            op, path = operation.get("op"), str(operation.get("path") or "")
            if path.startswith("/fields/"):
                name = path.removeprefix("/fields/")
                if name not in FIELDS or name in READ_ONLY:
                    return f"TF51535: Cannot find field {name}."
                if op in ("add", "replace"):
                    fields[name] = operation.get("value")
                elif op == "remove":
                    fields.pop(name, None)
                else:
                    return f"Unsupported operation {op}."
            elif path == "/relations/-" and op == "add":
                relation = operation.get("value") or {}
                target = str(relation.get("url") or "").rstrip("/").rsplit("/", 1)[-1]
                if not target.isdigit() or int(target) not in self.work_items:
                    return "TF401027: The link target does not exist."
                if not str(relation.get("url")).startswith(f"{self.url}/{org}/_apis/wit/workItems/"):
                    return "TF401027: The link target is not a work item of this organization."
                relations.append({"rel": relation.get("rel"), "url": relation["url"], "attributes": {}})
            elif path.startswith("/relations/") and op == "remove":
                index = path.removeprefix("/relations/")
                if not index.isdigit() or int(index) >= len(relations):
                    return "Invalid relation index."
                relations.pop(int(index))
            else:
                return f"Invalid patch path {path}."
        if sum(relation["rel"] == PARENT_LINK for relation in relations) > 1:
            return "TF201036: A work item can have only one Parent link."
        if not fields.get("System.Title"):
            return "TF401320: Rule Error for field Title. Error code: Required, HasValues, LimitedToValues."
        item.fields, item.relations = fields, relations
        return None

    async def _create(self, org: str, project: str, kind: str) -> Response:
        refused = self._check(org, project)
        if refused:
            return refused
        work_item_type = kind.removeprefix("$")
        if not kind.startswith("$") or work_item_type not in WORK_ITEM_TYPES:
            return _error(404, f"TF201063: Work item type {work_item_type} does not exist.")
        operations = await self._operations()
        if isinstance(operations, Response):
            return operations
        item = WorkItem(self.next_id, work_item_type, project, {"System.State": "New"})
        reason = self._apply(org, item, operations)
        if reason:
            return _error(400, reason)
        self.work_items[item.id] = item
        self.next_id += 1
        return self._shown(org, item)

    async def _get(self, org: str, item_id: int) -> Response:
        refused = self._check(org)
        if refused:
            return refused
        if item_id not in self.work_items:
            return _error(404, f"TF401232: Work item {item_id} does not exist.")
        return self._shown(org, self.work_items[item_id])

    async def _update(self, org: str, item_id: int) -> Response:
        refused = self._check(org)
        if refused:
            return refused
        if item_id not in self.work_items:
            return _error(404, f"TF401232: Work item {item_id} does not exist.")
        operations = await self._operations()
        if isinstance(operations, Response):
            return operations
        item = self.work_items[item_id]
        reason = self._apply(org, item, operations)
        if reason:
            return _error(400, reason)
        item.rev += 1
        return self._shown(org, item)
