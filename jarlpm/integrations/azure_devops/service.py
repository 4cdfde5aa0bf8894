"""Azure DevOps rules: verify an organisation and PAT, keep the user's defaults, turn a push into work
item calls, and say what failed in fixed words.

A PAT Azure DevOps stops accepting (401/403, at any call) makes the integration unusable at once
(status error, reason pat_rejected, the PAT forgotten): every later call would fail the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from jarlpm import db
from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.errors import APIError
from jarlpm.export.service import load_tree
from jarlpm.export.tree import ExportTree
from jarlpm.http.auth import Caller
from jarlpm.integrations import service as integrations
from jarlpm.integrations.azure_devops.client import (
    AzureDevOps,
    PatRejected,
    WorkItem,
    check_organization_url,
    normalize_organization_url,
    organization_name,
)
from jarlpm.integrations.azure_devops.items import DEFAULT_POINTS_FIELD, DEFAULT_TYPES, Options, items_of
from jarlpm.integrations.azure_devops.models import ConfigureIn, DirectExportIn, PushIn
from jarlpm.integrations.push import Done, Item, Planned, Remote, Target, existing_mappings, plan, send_once
from jarlpm.integrations.push import push as push_items
from jarlpm.integrations.tables import PUSHED_ENTITIES as ENTITY_TYPES
from jarlpm.outbound import OutboundError

PROVIDER = "azure_devops"
PAT_REJECTED = "pat_rejected"
PARENT_LINK = "System.LinkTypes.Hierarchy-Reverse"
NAME_MAX_CHARS = 255  # external_integrations.external_account_*
T = TypeVar("T")


# --- connection ------------------------------------------------------------------------------
def _connect_failed(error: OutboundError) -> APIError:
    if isinstance(error, PatRejected):
        return APIError(
            400,
            "INVALID_PAT",
            "Azure DevOps did not accept this personal access token for the organization "
            "(check that it is active, belongs to this organization and has the required scopes)",
        )
    return APIError(400, "CONNECTION_FAILED", f"Could not connect to Azure DevOps: {error}")


async def verify(org_url: str, pat: str) -> int:
    """The number of projects the PAT sees in the organisation; 400 when the URL is refused or the
    organisation does not accept the PAT."""
    await check_organization_url(org_url)
    try:
        projects = await AzureDevOps(org_url, pat).projects()
    except OutboundError as error:
        raise _connect_failed(error) from None
    return len(projects)


async def connect(caller: Caller, *, organization_url: str, pat: str) -> dict[str, Any]:
    org_url = normalize_organization_url(organization_url)
    async with db.connection(caller) as conn:
        await integrations.require_subscription(conn, caller.id)
    project_count = await verify(org_url, pat)
    organization = organization_name(org_url)[:NAME_MAX_CHARS]
    async with db.connection(caller) as conn:
        await queries.integrations.connect_integration(
            conn,
            integration_id=new_id("int"),
            user_id=caller.id,
            provider=PROVIDER,
            external_account_id=organization,
            external_account_name=organization,
            access_token_encrypted=None,
            refresh_token_encrypted=None,
            token_expires_at=None,
            pat_encrypted=integrations.seal(pat),
            org_url=org_url,
            scopes=None,
        )
    return {"status": "connected", "organization": organization, "project_count": project_count}


async def connection(caller: Caller) -> integrations.Connected:
    """The caller's usable Azure DevOps connection (402 without a subscription, 400 when not connected)."""
    async with db.connection(caller) as conn:
        await integrations.require_subscription(conn, caller.id)
        return await integrations.connected(conn, user_id=caller.id, provider=PROVIDER)


def client_of(link: integrations.Connected) -> AzureDevOps:
    return AzureDevOps(link.row["org_url"], link.pat or "")


async def forget_rejected_pat(user_id: str) -> None:
    async with db.connection(user_id) as conn:
        await queries.integrations.mark_unusable(
            conn, user_id=user_id, provider=PROVIDER, status="error", status_reason=PAT_REJECTED
        )


async def look_up(link: integrations.Connected, call: Callable[[AzureDevOps], Awaitable[T]]) -> T:
    """One read from Azure DevOps for the user; a tracker failure becomes a fixed 4xx/502."""
    try:
        return await call(client_of(link))
    except PatRejected:
        await forget_rejected_pat(link.row["user_id"])
        raise APIError(
            400, "PAT_REJECTED", "Azure DevOps no longer accepts the personal access token; please reconnect"
        ) from None
    except OutboundError as error:
        if error.code == "TRACKER_NOT_FOUND":
            raise APIError(404, error.code, "Azure DevOps has no such project or resource") from None
        raise APIError(502, error.code, str(error)) from None


async def test(link: integrations.Connected) -> dict[str, Any]:
    """Whether the stored PAT still works: {status, organization, project_count} or {status:"error", error}."""
    organization = link.row["external_account_name"]
    try:
        projects = await client_of(link).projects()
    except PatRejected as error:
        await forget_rejected_pat(link.row["user_id"])
        return {"status": "error", "organization": organization, "error": str(error)}
    except OutboundError as error:
        return {"status": "error", "organization": organization, "error": str(error)}
    return {"status": "connected", "organization": organization, "project_count": len(projects)}


# --- configuration ---------------------------------------------------------------------------
def field_mappings_of(data: ConfigureIn) -> dict[str, Any]:
    return {
        "story_points_field": data.story_points_field,
        "description_format": data.description_format,
        "tag_policy": data.tag_policy,
        "default_area_path": data.default_area_path,
        "default_iteration_path": data.default_iteration_path,
        "work_item_types": {**DEFAULT_TYPES, **(data.work_item_types or {})},
    }


async def configure(caller: Caller, data: ConfigureIn) -> dict[str, Any]:
    link = await connection(caller)
    org_url = normalize_organization_url(data.organization_url)
    if org_url != link.row["org_url"]:
        await verify(org_url, link.pat or "")  # a new organisation must accept the stored PAT too
    else:
        await check_organization_url(org_url)
    mappings = field_mappings_of(data)
    async with db.connection(caller) as conn:
        row = await queries.integrations.configure(
            conn,
            user_id=caller.id,
            provider=PROVIDER,
            org_url=org_url,
            external_account_id=organization_name(org_url)[:NAME_MAX_CHARS],
            external_account_name=organization_name(org_url)[:NAME_MAX_CHARS],
            default_team_id=None,
            default_team_name=None,
            default_project_id=data.project_id or data.project_name,
            default_project_name=data.project_name,
            field_mappings=mappings,
        )
    if row is None:
        raise APIError(400, "NOT_CONNECTED", "Azure DevOps is not connected")
    return {
        "status": "configured",
        "organization_url": row["org_url"],
        "default_project": {"id": row["default_project_id"], "name": row["default_project_name"]},
        "field_mappings": row["field_mappings"],
    }


def options_of(
    link: integrations.Connected,
    *,
    project: str | None = None,
    area_path: str | None = None,
    iteration_path: str | None = None,
) -> Options:
    """Where a push or preview goes: the request's choices, else the configured defaults."""
    mappings = link.row["field_mappings"] or {}
    chosen = project or link.row["default_project_name"]
    if not chosen:
        raise APIError(
            400, "PROJECT_REQUIRED", "Choose an Azure DevOps project (project_name) or configure a default one"
        )
    return Options(
        project=chosen,
        area_path=area_path or mappings.get("default_area_path"),
        iteration_path=iteration_path or mappings.get("default_iteration_path"),
        story_points_field=mappings.get("story_points_field") or DEFAULT_POINTS_FIELD,
        tag_policy=mappings.get("tag_policy") or "add",
        types={**DEFAULT_TYPES, **(mappings.get("work_item_types") or {})},
    )


# --- lookups -----------------------------------------------------------------------------------
def _usable_path(node_path: str, group: str) -> str:
    """`\\Project\\Iteration\\Sprint 1` (a classification node) as a work item field holds it:
    `Project\\Sprint 1`."""
    parts = [part for part in node_path.split("\\") if part]
    if len(parts) >= 2 and parts[1].lower() == group:
        del parts[1]
    return "\\".join(parts)


def flatten_nodes(root: dict[str, Any], group: str) -> list[dict[str, Any]]:
    """A classification tree as a list, the root (the project's own node) first."""
    found: list[dict[str, Any]] = []
    pending = [root]
    while pending:
        node = pending.pop(0)
        children = [child for child in node.get("children") or [] if isinstance(child, dict)]
        found.append(
            {
                "id": node.get("id") if isinstance(node.get("id"), int) else None,
                "name": str(node.get("name") or ""),
                "path": _usable_path(str(node.get("path") or node.get("name") or ""), group),
                "attributes": node.get("attributes") if isinstance(node.get("attributes"), dict) else None,
                "has_children": bool(children or node.get("hasChildren")),
            }
        )
        pending.extend(children)
    return found


# --- the tracker for the push engine ----------------------------------------------------------
def _field_operations(fields: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"op": "add", "path": f"/fields/{name}", "value": value} for name, value in fields.items()]


def _target_id(url: Any) -> str | None:
    text = str(url or "").rstrip("/")
    head, _, tail = text.rpartition("/")
    return tail if head.lower().endswith("/workitems") and tail.isdigit() else None


class AzureDevOpsTracker:
    """Creates and updates work items (JSON Patch), hanging each under its parent."""

    def __init__(self, client: AzureDevOps, options: Options) -> None:
        self.client = client
        self.options = options

    def _remote(self, item: WorkItem, work_item_type: str) -> Remote:
        project = str(item.fields.get("System.TeamProject") or self.options.project)
        external_id = str(item.id)
        return Remote(
            external_id=external_id,
            external_type=str(item.fields.get("System.WorkItemType") or work_item_type),
            external_key=external_id,
            external_url=self.client.web_url(project, external_id),
        )

    def _parent_link(self, parent: Remote) -> dict[str, Any]:
        url = self.client.api_url(parent.external_id)
        return {"op": "add", "path": "/relations/-", "value": {"rel": PARENT_LINK, "url": url}}

    async def create(self, item: Item, parent: Remote | None) -> Remote:
        operations = _field_operations(dict(item.fields))
        if parent is not None:
            operations.append(self._parent_link(parent))
        work_item_type = self.options.type_of(item.entity_type)
        created = await self.client.create_work_item(self.options.project, work_item_type, operations)
        return self._remote(created, work_item_type)

    async def update(self, item: Item, existing: Remote, parent: Remote | None) -> Remote:
        # Read first: a work item deleted since (404) is created again by the engine, and the parent
        # link is replaced only when it changed.
        current = await self.client.work_item(existing.external_id)
        operations = _field_operations(dict(item.fields))
        operations += self._relink(current, parent)
        updated = await self.client.update_work_item(existing.external_id, operations)
        return self._remote(updated, existing.external_type)

    def _relink(self, current: WorkItem, parent: Remote | None) -> list[dict[str, Any]]:
        parents = [
            (index, _target_id(relation.get("url")))
            for index, relation in enumerate(current.relations)
            if relation.get("rel") == PARENT_LINK
        ]
        wanted = parent.external_id if parent else None
        if [target for _, target in parents] == ([wanted] if wanted else []):
            return []
        # Highest index first, so each removal leaves the others' indexes valid.
        operations: list[dict[str, Any]] = [
            {"op": "remove", "path": f"/relations/{index}"} for index, _ in sorted(parents, reverse=True)
        ]
        if parent is not None:
            operations.append(self._parent_link(parent))
        return operations


# --- preview, push and the direct export ------------------------------------------------------
async def _read(caller: Caller, epic_id: str, include_bugs: bool) -> tuple[integrations.Connected, ExportTree]:
    """The connection and the epic's tree, in one short acquisition (released before any call)."""
    async with db.connection(caller) as conn:
        await integrations.require_subscription(conn, caller.id)
        link = await integrations.connected(conn, user_id=caller.id, provider=PROVIDER)
        tree = await load_tree(conn, user_id=caller.id, epic_id=epic_id, include_bugs=include_bugs)
    return link, tree


def _target(link: integrations.Connected, options: Options) -> Target:
    return Target(link.row["user_id"], link.integration_id, PROVIDER, project_id=options.project)


def _planned(entry: Planned) -> dict[str, Any]:
    item = entry.item
    planned: dict[str, Any] = {
        "entity_id": item.entity_id,
        "title": item.title,
        "action": entry.action,
        "existing_id": entry.existing.external_id if entry.existing else None,
    }
    if item.entity_type == "story":
        planned["parent_feature_id"] = item.parent_id
    if item.entity_type == "bug":
        planned["parent_id"] = item.parent_id
    return planned


async def preview(caller: Caller, *, epic_id: str, push_scope: str, include_bugs: bool) -> dict[str, Any]:
    """What a push would do to each item now (create, update or skip), with no call to Azure DevOps."""
    link, tree = await _read(caller, epic_id, include_bugs)
    options = options_of(link)
    items = items_of(tree, options, push_scope=push_scope, include_bugs=include_bugs)
    async with db.connection(caller) as conn:
        mappings = await existing_mappings(conn, target=_target(link, options), items=items)
    planned = plan(items, mappings)
    of_type = {kind: [_planned(entry) for entry in planned if entry.item.entity_type == kind] for kind in ENTITY_TYPES}
    return {
        "epic": of_type["epic"][0],
        "features": of_type["feature"],
        "stories": of_type["story"],
        "bugs": of_type["bug"],
        "totals": {action: sum(entry.action == action for entry in planned) for action in ("create", "update", "skip")},
    }


def _pushed(entry: Done) -> dict[str, Any]:
    remote = entry.remote
    return {
        "type": entry.item.entity_type,
        "entity_id": entry.item.entity_id,
        "external_id": remote.external_id,
        "url": remote.external_url,
    }


async def push(caller: Caller, data: PushIn) -> dict[str, Any]:
    link, tree = await _read(caller, data.epic_id, data.include_bugs)
    options = options_of(link, project=data.project_name, area_path=data.area_path, iteration_path=data.iteration_path)
    items = items_of(tree, options, push_scope=data.push_scope, include_bugs=data.include_bugs)
    outcome = await push_items(
        AzureDevOpsTracker(client_of(link), options),
        _target(link, options),
        items,
        dry_run=data.dry_run,
        epic_id=data.epic_id,
        push_scope=data.push_scope,
        include_bugs=data.include_bugs,
    )
    if outcome.revoked:
        await forget_rejected_pat(link.row["user_id"])
    return {
        "run_id": outcome.run_id,
        "status": outcome.status,
        "dry_run": outcome.dry_run,
        "created": [_pushed(entry) for entry in outcome.of("create")],
        "updated": [_pushed(entry) for entry in outcome.of("update")],
        "skipped": [_pushed(entry) for entry in outcome.of("skip")],
        "errors": [failure.as_json() for failure in outcome.failed],
        "links": outcome.links(),
    }


async def direct_export(caller: Caller, data: DirectExportIn) -> dict[str, Any]:
    """Every item of the epic created in the organisation with the request's PAT; nothing stored."""
    org_url = normalize_organization_url(data.organization)
    await check_organization_url(org_url)
    async with db.connection(caller) as conn:
        tree = await load_tree(conn, user_id=caller.id, epic_id=data.epic_id, include_bugs=data.include_bugs)
    options = Options(project=data.project)
    items = items_of(tree, options, push_scope="full", include_bugs=data.include_bugs)
    outcome = await send_once(AzureDevOpsTracker(AzureDevOps(org_url, data.pat), options), items)
    created = [{**_pushed(entry), "title": entry.item.title} for entry in outcome.done]
    errors = [
        {
            "type": failure.item.entity_type,
            "entity_id": failure.item.entity_id,
            "title": failure.item.title,
            "error": failure.error,
        }
        for failure in outcome.failed
    ]
    return {
        "success": not errors,
        "created_count": len(created),
        "error_count": len(errors),
        "created": created,
        "errors": errors,
    }
