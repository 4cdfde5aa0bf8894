"""Linear's rules: the OAuth dance, a usable access token (refreshed when it has expired), the look-ups,
and how an epic tree becomes Linear issues (or a project) for the shared push engine.

How the tree maps onto Linear:
- the epic is a parent issue (`epic_mapping="issue"`) or a Linear project (`"project"`);
- each feature is an issue under the epic (its `parentId`, or the epic project's `projectId`);
- each story is a sub-issue of its feature; a linked bug (with `include_bugs`) is an issue labelled
  "Bug" under the deepest pushed item it is linked to;
- priorities come from MoSCoW (epic, features) and the story priority through `priority_mapping`
  (Linear: 0 none, 1 urgent, 2 high, 3 medium, 4 low); bugs from their own priority or severity;
- story labels follow `label_policy`: `create-missing` creates, once per push, the labels the team
  lacks (matched by name, case-insensitively); `existing-only` uses only those it has; `ignore` none.
The fields an item carries are exactly what Linear will hold, so the engine's hash tells an unchanged
item (skipped) from an edited one (updated).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode

from jarlpm import db
from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.scope import CrossUser
from jarlpm.errors import APIError
from jarlpm.export.tree import Bug, Epic, ExportTree, Feature, Story
from jarlpm.http import current_settings
from jarlpm.http.auth import Caller
from jarlpm.integrations import oauth
from jarlpm.integrations import service as core
from jarlpm.integrations.linear import operations as ops
from jarlpm.integrations.linear.client import PAGE, LinearAPI, OAuthClient, Tokens, not_found_is
from jarlpm.integrations.linear.models import DEFAULT_PRIORITIES
from jarlpm.integrations.push import Item, Pushed, Remote
from jarlpm.outbound import OutboundError
from jarlpm.scoring.rules import moscow_key

log = logging.getLogger(__name__)

PROVIDER = "linear"
SCOPE = "read,write"
ISSUE = "Linear Issue"
PROJECT = "Linear Project"
# A token this close to its expiry is refreshed first (a push can take a while).
EXPIRY_MARGIN = timedelta(seconds=60)
GRANT_REVOKED = "grant_revoked"
BUG_LABEL = "Bug"
PROJECT_DESCRIPTION_MAX = 255  # Linear's short project description; the full text goes in `content`
BUG_PRIORITIES = {"p0": 1, "p1": 2, "p2": 3, "p3": 4}
BUG_SEVERITIES = {"critical": 1, "high": 2, "medium": 3, "low": 4}
REMOTE_ID_MAX_CHARS = 100
CODE_MAX_CHARS = 2000
REFRESH_RACE_PAUSES = (0.0, 0.5)
NICE_TO_HAVE = {"nice-to-have", "nice_to_have", "nice to have"}  # the story priority's "could"
T = TypeVar("T")


# --- OAuth -------------------------------------------------------------------------------------


def oauth_client() -> OAuthClient:
    """This server's Linear application, or 503 INTEGRATION_NOT_CONFIGURED."""
    core.require_configured(PROVIDER)
    settings = current_settings()
    client = settings.tracker_oauth(PROVIDER)
    assert client is not None  # require_configured said so
    return OAuthClient(client.client_id, client.client_secret, client.redirect_uri, _api_base())


def _api_base() -> str:
    return current_settings().linear_api_base_url.rstrip("/")


def authorization_url(client: OAuthClient, state: str) -> str:
    query = {
        "client_id": client.client_id,
        "redirect_uri": client.redirect_uri,
        "response_type": "code",
        "scope": SCOPE,
        "state": state,
        "prompt": "consent",
    }
    return f"{current_settings().linear_auth_base_url.rstrip('/')}/oauth/authorize?{urlencode(query)}"


async def finish_authorization(code: str | None, state: str | None, error: str | None) -> str:
    """Where the browser goes after Linear's consent screen. The state is spent first (single use, in
    its own short transaction); nothing is stored unless every step succeeded."""
    async with db.transaction(CrossUser.OAUTH_CALLBACK) as conn:  # the state names the user, not a session
        grant = await oauth.spend_state(conn, provider=PROVIDER, state=state)
    public_app_url = current_settings().public_app_url
    if grant is None:
        return oauth.redirect_target(oauth.fallback_page(public_app_url), PROVIDER, error="invalid_state")
    failure = await _connect(grant, code, error)
    return oauth.redirect_target(grant.frontend_callback_url, PROVIDER, error=failure)


async def _connect(grant: oauth.Grant, code: str | None, error: str | None) -> str | None:
    """The fixed error code of a failed connection, or None once the integration is stored."""
    if error:
        return "access_denied"
    if not code:
        return "missing_code"
    if not core.is_configured(PROVIDER):
        return "not_configured"
    if len(code) > CODE_MAX_CHARS:
        return "token_exchange_failed"
    client = oauth_client()
    try:
        tokens = await client.exchange_code(code)
    except OutboundError as failure:
        log.info("linear code exchange failed: %s", failure.code)
        return "token_exchange_failed"
    try:
        data = await LinearAPI(client.api_base_url, tokens.access_token).run("Viewer", ops.VIEWER)
    except OutboundError as failure:
        log.info("linear viewer look-up failed: %s", failure.code)
        return "account_lookup_failed"
    organization = data.get("organization") if isinstance(data.get("organization"), dict) else {}
    assert isinstance(organization, dict)
    url_key = organization.get("urlKey")
    async with db.transaction(grant.user_id) as conn:
        await queries.integrations.connect_integration(
            conn,
            integration_id=new_id("int"),
            user_id=grant.user_id,
            provider=PROVIDER,
            external_account_id=_text(organization.get("id")),
            external_account_name=_text(organization.get("name")),
            access_token_encrypted=core.seal(tokens.access_token),
            refresh_token_encrypted=core.seal(tokens.refresh_token),
            token_expires_at=tokens.expires_at,
            pat_encrypted=None,
            org_url=f"https://linear.app/{url_key}" if isinstance(url_key, str) and url_key else None,
            scopes={"scope": tokens.scope or SCOPE},
        )
    return None


def _text(value: Any, limit: int = 255) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None


async def disconnect(caller: Caller) -> str:
    """Forget the tokens here first, then ask Linear to revoke them (best effort)."""
    async with db.transaction(caller) as conn:
        row = await queries.integrations.get_integration(conn, user_id=caller.id, provider=PROVIDER)
        access = None
        if row is not None and row["status"] == "connected":
            try:
                access = (await core.connected(conn, user_id=caller.id, provider=PROVIDER)).access_token
            except APIError:
                access = None  # unreadable under the current key: forgetting it is all that is left
        forgotten = await queries.integrations.disconnect(conn, user_id=caller.id, provider=PROVIDER)
    if forgotten is None:
        return "not_connected"
    if access and core.is_configured(PROVIDER):
        try:
            await oauth_client().revoke(access)
        except OutboundError as failure:
            log.info("linear token revocation failed: %s", failure.code)
    return "disconnected"


# --- a usable token ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    """One request's way into Linear: the integration's row (no secrets) and an API with a live token."""

    integration_id: str
    row: dict[str, Any]
    api: LinearAPI


async def settle(caller: Caller, conn: Any) -> core.Connected:
    """The caller's Linear connection, checked for the subscription (inside the caller's acquisition)."""
    await core.require_subscription(conn, caller.id)
    return await core.connected(conn, user_id=caller.id, provider=PROVIDER)


async def session_of(caller: Caller, connected: core.Connected) -> Session:
    """An API on a token that works now: an expired one is refreshed first and the new pair stored.
    Called with no connection held (the refresh is a call to Linear)."""
    token = connected.access_token
    expires_at: datetime | None = connected.row["token_expires_at"]
    if expires_at is not None and expires_at - EXPIRY_MARGIN <= datetime.now(UTC) and connected.refresh_token:
        token = await _refreshed(caller, connected.refresh_token)
    if not token:
        raise APIError(400, "NOT_CONNECTED", "Linear is not connected")
    return Session(connected.integration_id, connected.row, LinearAPI(_api_base(), token))


async def _refreshed(caller: Caller, refresh_token: str) -> str:
    try:
        tokens: Tokens = await oauth_client().refresh(refresh_token)
    except OutboundError as failure:
        # Only a refused grant is the user's; invalid_client (this server's secret) revokes nobody.
        if failure.status not in (400, 401) or failure.oauth_error not in (None, "invalid_grant"):
            raise _bad_gateway(failure) from None
        for pause in REFRESH_RACE_PAUSES:
            # The winner of a concurrent refresh may still be storing its pair.
            await asyncio.sleep(pause)
            newer = await _refreshed_meanwhile(caller, refresh_token)
            if newer is not None:
                return newer
        await revoked(caller)
        raise _not_connected() from None
    async with db.connection(caller) as conn:
        await queries.integrations.store_tokens(
            conn,
            user_id=caller.id,
            provider=PROVIDER,
            access_token_encrypted=core.seal(tokens.access_token),
            refresh_token_encrypted=core.seal(tokens.refresh_token or refresh_token),
            token_expires_at=tokens.expires_at,
        )
    return tokens.access_token


async def _refreshed_meanwhile(caller: Caller, refresh_token: str) -> str | None:
    """The access token another request stored while ours was refreshing with the same (now rotated)
    refresh token: the web client loads teams, projects and labels at once, and only one refresh wins."""
    async with db.connection(caller) as conn:
        try:
            current = await core.connected(conn, user_id=caller.id, provider=PROVIDER)
        except APIError:
            return None
    if current.refresh_token in (None, refresh_token):
        return None
    return current.access_token


def idle_api() -> LinearAPI:
    """An API that a dry run hands the tracker: it is never called, so it holds no token."""
    return LinearAPI(_api_base(), "")


async def revoked(caller: Caller | str) -> None:
    """Linear no longer accepts the grant: the integration shows status error, its tokens forgotten."""
    user_id = caller if isinstance(caller, str) else caller.id
    async with db.connection(user_id) as conn:
        await queries.integrations.mark_unusable(
            conn, user_id=user_id, provider=PROVIDER, status="error", status_reason=GRANT_REVOKED
        )


def _not_connected() -> APIError:
    return APIError(400, "NOT_CONNECTED", f"Linear is not connected ({GRANT_REVOKED}); please reconnect it")


def _bad_gateway(failure: OutboundError) -> APIError:
    return APIError(502, failure.code, str(failure))


async def looked_up(caller: Caller, call: Callable[[LinearAPI], Awaitable[T]]) -> T:
    """A read from Linear for the caller: its failures as 4xx/502 with fixed codes; a refused grant
    also marks the integration unusable."""
    async with db.connection(caller) as conn:
        connected = await settle(caller, conn)
    session = await session_of(caller, connected)
    try:
        return await call(session.api)
    except OutboundError as failure:
        if failure.revoked:
            await revoked(caller)
            raise _not_connected() from None
        if failure.code == "TRACKER_NOT_FOUND":
            raise APIError(404, "NOT_FOUND", "Linear has no such team") from None
        raise _bad_gateway(failure) from None


def _nodes(data: Mapping[str, Any], *path: str) -> list[dict[str, Any]]:
    current: Any = data
    for key in path:
        current = current.get(key) if isinstance(current, Mapping) else None
    nodes = current.get("nodes") if isinstance(current, Mapping) else None
    return [node for node in nodes or [] if isinstance(node, dict)]


async def teams(api: LinearAPI) -> list[dict[str, Any]]:
    return _nodes(await api.run("Teams", ops.TEAMS, {"first": PAGE}), "teams")


def _team_variables(team_id: str) -> dict[str, Any]:
    # Linear ids are UUIDs or short keys; anything longer cannot name a team.
    if len(team_id) > REMOTE_ID_MAX_CHARS:
        raise OutboundError("TRACKER_NOT_FOUND", "Linear has no such team", 404)
    return {"teamId": team_id, "first": PAGE}


async def team_projects(api: LinearAPI, team_id: str) -> list[dict[str, Any]]:
    data = await api.run("TeamProjects", ops.TEAM_PROJECTS, _team_variables(team_id))
    if data.get("team") is None:
        raise OutboundError("TRACKER_NOT_FOUND", "Linear has no such team", 404)
    return _nodes(data, "team", "projects")


async def team_labels(api: LinearAPI, team_id: str) -> list[dict[str, Any]]:
    data = await api.run("TeamLabels", ops.TEAM_LABELS, _team_variables(team_id))
    if data.get("team") is None:
        raise OutboundError("TRACKER_NOT_FOUND", "Linear has no such team", 404)
    return _nodes(data, "team", "labels")


async def all_labels(api: LinearAPI) -> list[dict[str, Any]]:
    return _nodes(await api.run("Labels", ops.LABELS, {"first": PAGE}), "issueLabels")


async def viewer(api: LinearAPI) -> dict[str, Any]:
    return await api.run("Viewer", ops.VIEWER)


# --- configuration -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """How one push maps the tree onto Linear."""

    team_id: str
    project_id: str | None
    epic_mapping: str
    priority_mapping: Mapping[str, int]
    label_policy: str


def saved_preferences(row: Mapping[str, Any]) -> dict[str, Any]:
    """The user's Linear preferences (kept in field_mappings), with the contract's defaults."""
    saved = row.get("field_mappings") or {}
    return {
        "priority_mapping": {**DEFAULT_PRIORITIES, **(saved.get("priority_mapping") or {})},
        "label_policy": saved.get("label_policy") or "create-missing",
        "epic_mapping": saved.get("epic_mapping") or "issue",
    }


def options_for(row: Mapping[str, Any], *, team_required: bool = True, **asked: Any) -> Options:
    """A push's options: what the request says, else what the user configured, else the defaults
    (a preview may go without a team: it only compares with what was pushed before)."""
    saved = saved_preferences(row)
    team_id = asked.get("team_id") or row.get("default_team_id")
    # The default project belongs to the default team: another team gets only the project asked for.
    default_project = row.get("default_project_id") if team_id == row.get("default_team_id") else None
    project_id = asked.get("project_id") or default_project
    if not team_id and team_required:
        raise APIError(400, "TEAM_REQUIRED", "Choose a Linear team (team_id) or configure a default team first")
    return Options(
        team_id=team_id or "",
        project_id=project_id,
        epic_mapping=asked.get("epic_mapping") or saved["epic_mapping"],
        priority_mapping={**saved["priority_mapping"], **(asked.get("priority_mapping") or {})},
        label_policy=asked.get("label_policy") or saved["label_policy"],
    )


# --- the tree as items -------------------------------------------------------------------------


def _priority(options: Options, score: str | None) -> int:
    """A MoSCoW score or story priority ("must-have" … "nice-to-have") as a Linear priority."""
    if not score:
        return 0
    key = "could_have" if score.strip().lower() in NICE_TO_HAVE else moscow_key(score)
    return int(options.priority_mapping.get(key.removesuffix("_have"), 0)) if key else 0


def _criteria(criteria: Sequence[str]) -> str:
    return "\n".join(f"- [ ] {line}" for line in criteria)


def _sections(*parts: tuple[str, str | None]) -> str:
    return "\n\n".join(f"## {heading}\n\n{text}" for heading, text in parts if text and text.strip())


def _epic_text(epic: Epic) -> str:
    return _sections(
        ("Summary", epic.summary),
        ("Problem", epic.problem_statement),
        ("Desired outcome", epic.desired_outcome),
        ("Acceptance criteria", _criteria(epic.acceptance_criteria)),
    )


def _epic_item(epic: Epic, options: Options) -> Item:
    text = _epic_text(epic)
    if options.epic_mapping == "project":
        fields: dict[str, Any] = {
            "kind": "project",
            "teamIds": [options.team_id],
            "name": epic.title,
            "description": (epic.summary or epic.title)[:PROJECT_DESCRIPTION_MAX],
            "content": text,
        }
    else:
        fields = {
            **_issue_base(options),
            "title": epic.title,
            "description": text,
            "priority": _priority(options, epic.moscow),
        }
    return Item("epic", epic.epic_id, epic.title, None, fields)


def _issue_base(options: Options) -> dict[str, Any]:
    # With the epic as a project, every issue goes in that project (sub-issues do not inherit it).
    return {
        "inEpicProject": options.epic_mapping == "project",
        "kind": "issue",
        "teamId": options.team_id,
        "projectId": options.project_id,
        "labels": [],
        "labelPolicy": None,
    }


def _feature_item(feature: Feature, epic_id: str, options: Options) -> Item:
    text = _sections(
        ("Description", feature.description), ("Acceptance criteria", _criteria(feature.acceptance_criteria))
    )
    fields = {
        **_issue_base(options),
        "title": feature.title,
        "description": text,
        "priority": _priority(options, feature.moscow),
    }
    return Item("feature", feature.feature_id, feature.title, epic_id, fields)


def _story_item(story: Story, feature_id: str, options: Options) -> Item:
    details = f"Story points: {story.points}" if story.points is not None else None
    text = _sections(
        ("Story", story.story_text),
        ("Acceptance criteria", _criteria(story.acceptance_criteria)),
        ("Estimate", details),
    )
    labels = sorted({label.strip() for label in story.labels if label.strip()}, key=str.lower)
    fields = {
        **_issue_base(options),
        "title": story.name[:255],
        "description": text,
        "priority": _priority(options, story.priority),
        "labels": labels if options.label_policy != "ignore" else [],
        "labelPolicy": options.label_policy,
    }
    return Item("story", story.story_id, story.name, feature_id, fields)


def _bug_item(bug: Bug, parent_id: str, options: Options) -> Item:
    text = _sections(
        ("Description", bug.description),
        ("Steps to reproduce", bug.steps_to_reproduce),
        ("Expected behaviour", bug.expected_behavior),
        ("Actual behaviour", bug.actual_behavior),
        ("Environment", bug.environment),
        ("Severity", bug.severity),
    )
    priority = BUG_PRIORITIES.get(bug.priority or "") or BUG_SEVERITIES.get(bug.severity, 0)
    fields = {
        **_issue_base(options),
        "title": bug.title,
        "description": text,
        "priority": priority,
        "labels": [BUG_LABEL] if options.label_policy != "ignore" else [],
        "labelPolicy": options.label_policy,
    }
    return Item("bug", bug.bug_id, bug.title, parent_id, fields)


def items_of(tree: ExportTree, push_scope: str, options: Options) -> list[Item]:
    """The items a push sends, parents before children (bugs under the deepest pushed item they link to)."""
    items = [_epic_item(tree.epic, options)]
    if push_scope != "epic_only":
        for feature in tree.features:
            items.append(_feature_item(feature, tree.epic.epic_id, options))
            if push_scope != "epic_features":
                items.extend(_story_item(story, feature.feature_id, options) for story in feature.stories)
    pushed = {item.entity_id for item in items}
    for bug in tree.bugs:
        linked = [link.entity_id for link in bug.links if link.entity_id in pushed]
        items.append(_bug_item(bug, linked[-1] if linked else tree.epic.epic_id, options))
    return items


# --- the tracker ---------------------------------------------------------------------------------


@dataclass
class Labels:
    """The team's labels by lower-cased name, read once per push; missing ones created once each."""

    api: LinearAPI
    team_id: str
    known: dict[str, str] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def ids(self, names: Sequence[str], policy: str | None) -> list[str]:
        if not names or policy in (None, "ignore"):
            return []
        async with self.lock:
            if self.known is None:
                self.known = {label["name"].lower(): label["id"] for label in await team_labels(self.api, self.team_id)}
            for name in names:
                if name.lower() not in self.known and policy == "create-missing":
                    self.known[name.lower()] = await self._create(name)
            return [self.known[name.lower()] for name in names if name.lower() in self.known]

    async def _create(self, name: str) -> str:
        payload = await self.api.mutate(
            "IssueLabelCreate", ops.LABEL_CREATE, "issueLabelCreate", {"input": {"name": name, "teamId": self.team_id}}
        )
        label = payload.get("issueLabel") or {}
        if not label.get("id"):
            raise OutboundError(
                "TRACKER_REJECTED", "Linear rejected the request", 200, "issueLabelCreate gave no label"
            )
        return str(label["id"])


class LinearTracker:
    """Creates and updates one item in Linear (the push engine's `Tracker`)."""

    def __init__(self, api: LinearAPI, options: Options, epic_project: str | None = None) -> None:
        self.api = api
        self.labels = Labels(api, options.team_id)
        # The epic's Linear project (pushed before, or created by this push before its issues).
        self.epic_project = epic_project

    async def create(self, item: Item, parent: Remote | None) -> Remote:
        if item.fields["kind"] == "project":
            payload = await self.api.mutate(
                "ProjectCreate", ops.PROJECT_CREATE, "projectCreate", {"input": self._project(item)}
            )
            return self._epic_project(_project_remote(payload))
        payload = await self.api.mutate(
            "IssueCreate", ops.ISSUE_CREATE, "issueCreate", {"input": await self._issue(item, parent)}
        )
        return _issue_remote(payload)

    async def update(self, item: Item, existing: Remote, parent: Remote | None) -> Remote:
        wanted = PROJECT if item.fields["kind"] == "project" else ISSUE
        if existing.external_type != wanted:
            # The epic's mapping changed (issue <-> project): it becomes the other kind.
            return await self.create(item, parent)
        try:
            if wanted == PROJECT:
                variables = {"id": existing.external_id, "input": self._project(item)}
                payload = await self.api.mutate("ProjectUpdate", ops.PROJECT_UPDATE, "projectUpdate", variables)
                return self._epic_project(_project_remote(payload))
            variables = {"id": existing.external_id, "input": await self._issue(item, parent)}
            return _issue_remote(await self.api.mutate("IssueUpdate", ops.ISSUE_UPDATE, "issueUpdate", variables))
        except OutboundError as error:
            raise not_found_is(error, "project" if wanted == PROJECT else "issue") from None

    def _epic_project(self, remote: Remote) -> Remote:
        self.epic_project = remote.external_id
        return remote

    @staticmethod
    def _project(item: Item) -> dict[str, Any]:
        fields = item.fields
        return {
            "name": fields["name"],
            "description": fields["description"],
            "content": fields["content"],
            "teamIds": fields["teamIds"],
        }

    async def _issue(self, item: Item, parent: Remote | None) -> dict[str, Any]:
        fields = item.fields
        issue: dict[str, Any] = {
            "teamId": fields["teamId"],
            "title": fields["title"],
            "description": fields["description"],
            "priority": fields["priority"],
            "parentId": None,
            "projectId": fields["projectId"],
        }
        if fields["inEpicProject"] and self.epic_project:
            issue["projectId"] = self.epic_project
        if parent is not None and parent.external_type == PROJECT:
            issue["projectId"] = parent.external_id
        elif parent is not None:
            issue["parentId"] = parent.external_id
        label_ids = await self.labels.ids(fields["labels"], fields["labelPolicy"])
        if label_ids:
            # Only when there are some: an empty list would strip labels added in Linear by hand.
            issue["labelIds"] = label_ids
        return {key: value for key, value in issue.items() if value is not None}


def _issue_remote(payload: Mapping[str, Any]) -> Remote:
    issue = payload.get("issue") or {}
    if not issue.get("id"):
        raise OutboundError("TRACKER_REJECTED", "Linear rejected the request", 200, "no issue in the answer")
    return Remote(str(issue["id"]), ISSUE, _text(issue.get("identifier"), 100), _text(issue.get("url"), 500))


def _project_remote(payload: Mapping[str, Any]) -> Remote:
    project = payload.get("project") or {}
    if not project.get("id"):
        raise OutboundError("TRACKER_REJECTED", "Linear rejected the request", 200, "no project in the answer")
    return Remote(str(project["id"]), PROJECT, None, _text(project.get("url"), 500))


def epic_project(mappings: Mapping[tuple[str, str], Pushed], epic_id: str) -> str | None:
    """The Linear project an earlier push made of the epic, if it made one."""
    pushed = mappings.get(("epic", epic_id))
    return pushed.remote.external_id if pushed and pushed.remote.external_type == PROJECT else None
