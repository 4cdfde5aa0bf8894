"""Jira Cloud's rules: the 3LO connection (state spent first, nothing stored on any error), the user's
tokens refreshed when they expire (the rotated pair stored at once, a refused refresh marking the
integration unusable), the look-ups, and preview and push through the shared push engine.

Every tracker call is made with no pooled connection held: read what is needed, release, call, then
record in short acquisitions.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asyncpg import Connection
from quart import current_app

from jarlpm import db
from jarlpm.config import Settings, TrackerOAuth
from jarlpm.crypto import SecretUnreadable, decrypt
from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.scope import CrossUser
from jarlpm.errors import APIError
from jarlpm.export.service import load_tree
from jarlpm.http import current_settings
from jarlpm.http.auth import Caller
from jarlpm.integrations import oauth, push
from jarlpm.integrations import service as shared
from jarlpm.integrations.jira import client as jira
from jarlpm.integrations.jira.issues import FieldMappings, browse_url, feature_of_story, items
from jarlpm.integrations.jira.models import (
    ConfigureIn,
    ConfigureOut,
    PreviewEntry,
    PreviewOut,
    PreviewStory,
    ProjectRef,
    PushedOut,
    PushErrorOut,
    PushIn,
    PushOut,
    Totals,
)
from jarlpm.integrations.push import Item, Outcome, Remote, Target
from jarlpm.outbound import OutboundError

PROVIDER = "jira"
REFRESH_LOCKS_KEY = "jarlpm_jira_refresh_locks"


def oauth_client() -> tuple[Settings, TrackerOAuth]:
    """The server's Atlassian app, or 503 INTEGRATION_NOT_CONFIGURED."""
    shared.require_configured(PROVIDER)
    settings = current_settings()
    configured = settings.tracker_oauth(PROVIDER)
    assert configured is not None  # require_configured said so
    return settings, configured


# --- connect ------------------------------------------------------------------------------------


async def authorization_url(caller: Caller, frontend_callback_url: str) -> str:
    settings, app = oauth_client()
    async with db.transaction(caller) as conn:
        await shared.require_subscription(conn, caller.id)
        state = await oauth.new_state(
            conn,
            user_id=caller.id,
            provider=PROVIDER,
            frontend_callback_url=frontend_callback_url,
            public_app_url=settings.public_app_url,
        )
    return jira.authorization_url(settings, app, state)


class CallbackFailed(Exception):
    """A callback that cannot connect; `code` is the fixed string the browser is sent back with."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


async def finish_connect(*, code: str | None, state: str | None, error: str | None) -> str:
    """Where the browser goes after Atlassian's consent page: the state is spent first (in its own short
    transaction, whatever happens next), then the code is exchanged and the site looked up; only when
    all of that worked is anything stored."""
    settings = current_settings()
    async with db.transaction(CrossUser.OAUTH_CALLBACK) as conn:  # the state names the user, not a session
        grant = await oauth.spend_state(conn, provider=PROVIDER, state=state)
    if grant is None:
        return oauth.redirect_target(oauth.fallback_page(settings.public_app_url), PROVIDER, error="invalid_state")
    try:
        await _connect(settings, grant.user_id, code=code, error=error)
    except CallbackFailed as failure:
        return oauth.redirect_target(grant.frontend_callback_url, PROVIDER, error=failure.code)
    return oauth.redirect_target(grant.frontend_callback_url, PROVIDER)


async def _connect(settings: Settings, user_id: str, *, code: str | None, error: str | None) -> None:
    app = settings.tracker_oauth(PROVIDER)
    if app is None:
        raise CallbackFailed("not_configured")
    if error:
        raise CallbackFailed("access_denied")
    if not code or len(code) > 2000:
        raise CallbackFailed("missing_code")
    try:
        tokens = await jira.exchange_code(settings, app, code)
    except OutboundError:
        raise CallbackFailed("token_exchange_failed") from None
    try:
        sites = await jira.accessible_sites(settings, jira.BearerAuth(tokens.access_token))
    except OutboundError:
        raise CallbackFailed("site_lookup_failed") from None
    if not sites:
        raise CallbackFailed("no_accessible_site")
    site = sites[0]
    try:
        async with db.transaction(user_id) as conn:
            await queries.integrations.connect_integration(
                conn,
                integration_id=new_id("int"),
                user_id=user_id,
                provider=PROVIDER,
                external_account_id=site.cloud_id,
                external_account_name=site.name,
                access_token_encrypted=shared.seal(tokens.access_token),
                refresh_token_encrypted=shared.seal(tokens.refresh_token),
                token_expires_at=tokens.expires_at,
                pat_encrypted=None,
                org_url=site.url,
                scopes={"scope": tokens.scope, "accessible_resources": [entry.as_json() for entry in sites]},
            )
    except APIError:
        raise CallbackFailed("server_error") from None


async def disconnect(caller: Caller) -> str:
    async with db.connection(caller) as conn:
        done = await queries.integrations.disconnect(conn, user_id=caller.id, provider=PROVIDER)
    return "disconnected" if done else "not_connected"


# --- a usable connection ------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    """A user's Jira connection for one request: the site, the settings, and tokens that refresh."""

    user_id: str
    integration_id: str
    cloud_id: str
    site_name: str | None
    site_url: str
    default_project: str | None
    stored_sites: list[dict[str, Any]]
    mappings: FieldMappings
    auth: jira.OAuthTokens

    def client(self) -> jira.JiraClient:
        return jira.JiraClient.cloud(current_settings(), self.cloud_id, self.auth)

    async def sites(self) -> list[jira.Site]:
        return await jira.accessible_sites(current_settings(), self.auth)


async def session(conn: Connection, user_id: str) -> Session:
    """The caller's usable connection (402 without a subscription, 400 NOT_CONNECTED without one)."""
    settings, app = oauth_client()
    await shared.require_subscription(conn, user_id)
    connected = await shared.connected(conn, user_id=user_id, provider=PROVIDER)
    row = connected.row
    if not connected.access_token or not row["external_account_id"] or not row["org_url"]:
        raise APIError(400, "NOT_CONNECTED", "Jira is not connected; please reconnect it")
    tokens = jira.Tokens(
        access_token=connected.access_token,
        refresh_token=connected.refresh_token,
        expires_at=row["token_expires_at"] or datetime.now(UTC),
    )

    async def store(fresh: jira.Tokens) -> None:
        async with db.connection(user_id) as store_conn:
            await queries.integrations.store_tokens(
                store_conn,
                user_id=user_id,
                provider=PROVIDER,
                access_token_encrypted=shared.seal(fresh.access_token),
                refresh_token_encrypted=shared.seal(fresh.refresh_token),
                token_expires_at=fresh.expires_at,
            )

    async def load() -> jira.Tokens | None:
        async with db.connection(user_id) as load_conn:
            now_stored = await queries.integrations.get_integration(load_conn, user_id=user_id, provider=PROVIDER)
        return stored_tokens(now_stored)

    scopes = row["scopes"] if isinstance(row["scopes"], dict) else {}
    return Session(
        user_id=user_id,
        integration_id=connected.integration_id,
        cloud_id=row["external_account_id"],
        site_name=row["external_account_name"],
        site_url=row["org_url"],
        default_project=row["default_project_id"],
        stored_sites=[site for site in scopes.get("accessible_resources") or [] if isinstance(site, dict)],
        mappings=FieldMappings.of(row["field_mappings"]),
        auth=jira.OAuthTokens(settings, app, tokens, store=store, load=load, lock=refresh_lock(user_id)),
    )


def stored_tokens(row: Any) -> jira.Tokens | None:
    """The pair stored now (another request may have refreshed it), if the integration is still usable."""
    if row is None or row["status"] != "connected" or not row["access_token_encrypted"]:
        return None
    key = current_settings().encryption_key
    try:
        refresh = row["refresh_token_encrypted"]
        return jira.Tokens(
            access_token=decrypt(key, row["access_token_encrypted"]),
            refresh_token=decrypt(key, refresh) if refresh else None,
            expires_at=row["token_expires_at"] or datetime.now(UTC),
        )
    except SecretUnreadable:
        return None


def refresh_lock(user_id: str) -> asyncio.Lock:
    """The lock a user's token refreshes take turns on, in this process (kept while a request holds it)."""
    locks: weakref.WeakValueDictionary[str, asyncio.Lock] = current_app.extensions.setdefault(
        REFRESH_LOCKS_KEY, weakref.WeakValueDictionary()
    )
    lock = locks.get(user_id)
    if lock is None:
        lock = locks[user_id] = asyncio.Lock()
    return lock


async def open_session(caller: Caller) -> Session:
    async with db.connection(caller) as conn:
        return await session(conn, caller.id)


async def mark_unusable(user_id: str, reason: str) -> None:
    async with db.connection(user_id) as conn:
        await queries.integrations.mark_unusable(
            conn, user_id=user_id, provider=PROVIDER, status="error", status_reason=reason
        )


def unusable_reason(error: OutboundError) -> str:
    return "grant_revoked" if isinstance(error, jira.GrantRevoked) else "token_rejected"


@asynccontextmanager
async def tracker_errors(current: Session) -> AsyncIterator[None]:
    """Jira's failures as this API's errors; credentials Jira refuses mark the integration unusable."""
    try:
        yield
    except OutboundError as error:
        if error.revoked:
            await mark_unusable(current.user_id, unusable_reason(error))
            raise APIError(400, "NOT_CONNECTED", "Jira no longer accepts this connection; please reconnect") from None
        raise as_api_error(error) from None


def as_api_error(error: OutboundError) -> APIError:
    if error.code == "TRACKER_NOT_FOUND":
        return APIError(404, error.code, "Jira has no such project or resource")
    if error.code == "TRACKER_REJECTED":
        return APIError(400, error.code, str(error))
    if error.code == "TRACKER_RATE_LIMITED":
        return APIError(429, error.code, str(error), headers={"Retry-After": "30"})
    return APIError(502, error.code, str(error))


# --- configure ----------------------------------------------------------------------------------


async def configure(caller: Caller, data: ConfigureIn) -> ConfigureOut:
    """The default site, project and field mappings; the site must be one the grant reaches (those
    known at connect time, else Jira is asked again: a site may have been added since)."""
    current = await open_session(caller)
    site = next((entry for entry in current.stored_sites if entry.get("id") == data.cloud_id), None)
    if site is None:
        async with tracker_errors(current):
            live = await current.sites()
        site = next((entry.as_json() for entry in live if entry.cloud_id == data.cloud_id), None)
    if site is None:
        raise APIError(400, "UNKNOWN_SITE", "cloud_id is not one of the Jira sites this connection can reach")
    # A PUT: the mappings are what this body says, defaults for what it leaves out.
    mappings = FieldMappings.of(data.model_dump())
    async with db.connection(caller) as conn:
        row = await queries.integrations.configure(
            conn,
            user_id=caller.id,
            provider=PROVIDER,
            org_url=site.get("url"),
            external_account_id=data.cloud_id,
            external_account_name=data.site_name,
            default_team_id=None,
            default_team_name=None,
            default_project_id=data.project_key,
            default_project_name=data.project_name,
            field_mappings=mappings.as_json(),
        )
    if row is None:
        raise APIError(400, "NOT_CONNECTED", "Jira is not connected")
    return ConfigureOut(
        status="configured",
        cloud_id=row["external_account_id"],
        site_name=row["external_account_name"],
        default_project=ProjectRef(key=row["default_project_id"], name=row["default_project_name"]),
        field_mappings=row["field_mappings"] or {},
    )


# --- preview and push ---------------------------------------------------------------------------


async def preview(caller: Caller, *, epic_id: str, push_scope: str, include_bugs: bool) -> PreviewOut:
    """What a push would create, update or skip, judged against what was pushed before."""
    async with db.connection(caller) as conn:
        current = await session(conn, caller.id)
        tree = await load_tree(conn, user_id=caller.id, epic_id=epic_id, include_bugs=include_bugs)
        planned_items = items(tree, push_scope=push_scope, include_bugs=include_bugs, mappings=current.mappings)
        target = Target(caller.id, current.integration_id, PROVIDER)
        mappings = await push.existing_mappings(conn, target=target, items=planned_items)
    planned = push.plan(planned_items, mappings)
    features_of = feature_of_story(tree)
    entries: dict[str, list[PreviewEntry]] = {"epic": [], "feature": [], "bug": []}
    stories: list[PreviewStory] = []
    for entry in planned:
        values = {
            "entity_id": entry.item.entity_id,
            "title": entry.item.title,
            "action": entry.action,
            "existing_key": entry.existing.external_key if entry.existing else None,
        }
        if entry.item.entity_type == "story":
            stories.append(PreviewStory(**values, parent_feature_id=features_of[entry.item.entity_id]))
        else:
            entries[entry.item.entity_type].append(PreviewEntry(**values))
    counts = {action: sum(1 for entry in planned if entry.action == action) for action in ("create", "update", "skip")}
    return PreviewOut(
        epic=entries["epic"][0],
        features=entries["feature"],
        stories=stories,
        bugs=entries["bug"],
        totals=Totals(**counts),
    )


class JiraTracker:
    """Creates and updates issues in one project (the push engine's `Tracker`)."""

    def __init__(
        self, client: jira.JiraClient, *, project_key: str, mappings: FieldMappings, site_url: str, epic_id: str
    ) -> None:
        self.client = client
        self.project_key = project_key
        self.mappings = mappings
        self.site_url = site_url
        self.epic_id = epic_id

    async def create(self, item: Item, parent: Remote | None) -> Remote:
        issue_type = self.mappings.issue_type(item.entity_type)
        fields = {
            "project": {"key": self.project_key},
            "issuetype": {"name": issue_type},
            **item.fields,
            **self._parent(item, parent),
        }
        created = await self.client.create_issue(fields)
        return Remote(created["id"], issue_type, created["key"], browse_url(self.site_url, created["key"]))

    async def update(self, item: Item, existing: Remote, parent: Remote | None) -> Remote:
        key = existing.external_key or existing.external_id
        # A sub-task's parent cannot be changed by an edit (Jira moves it instead): it is left alone.
        parent_fields = {} if self._is_subtask(item) else self._parent(item, parent)
        await self.client.update_issue(key, {**item.fields, **parent_fields})
        return Remote(existing.external_id, existing.external_type, key, browse_url(self.site_url, key))

    def _is_subtask(self, item: Item) -> bool:
        return item.entity_type == "story" and self.mappings.stories_are_subtasks

    def _parent(self, item: Item, parent: Remote | None) -> dict[str, Any]:
        if parent is None:
            return {}
        key = parent.external_key or parent.external_id
        # Older company-managed projects link to their epic through the "Epic Link" field instead.
        if item.parent_id == self.epic_id and self.mappings.epic_link_field:
            return {self.mappings.epic_link_field: key}
        return {"parent": {"key": key}}


async def push_epic(caller: Caller, data: PushIn) -> PushOut:
    """Push the epic tree: read and release, push (mappings recorded as each item lands), answer."""
    async with db.connection(caller) as conn:
        current = await session(conn, caller.id)
        project_key = data.project_key or current.default_project
        if not project_key:
            raise APIError(400, "NO_PROJECT", "Choose a Jira project (project_key) or configure a default one")
        tree = await load_tree(conn, user_id=caller.id, epic_id=data.epic_id, include_bugs=data.include_bugs)
    if not data.dry_run:
        # An expiring token is refreshed now, so a revoked grant is found before a run is started.
        async with tracker_errors(current):
            await current.auth.header()
    pushed = items(tree, push_scope=data.push_scope, include_bugs=data.include_bugs, mappings=current.mappings)
    tracker = JiraTracker(
        current.client(),
        project_key=project_key,
        mappings=current.mappings,
        site_url=current.site_url,
        epic_id=tree.epic.epic_id,
    )
    target = Target(caller.id, current.integration_id, PROVIDER, project_id=project_key, team_id=current.cloud_id)
    outcome = await push.push(
        tracker,
        target,
        pushed,
        dry_run=data.dry_run,
        epic_id=data.epic_id,
        push_scope=data.push_scope,
        include_bugs=data.include_bugs,
    )
    if outcome.revoked:
        await mark_unusable(caller.id, "grant_revoked" if current.auth.grant_revoked else "token_rejected")
        raise APIError(
            400,
            "NOT_CONNECTED",
            f"Jira stopped accepting this connection during the push (run {outcome.run_id} records what was "
            "pushed); please reconnect",
        )
    return push_answer(outcome)


def push_answer(outcome: Outcome) -> PushOut:
    def entries(action: push.Action) -> list[PushedOut]:
        return [
            PushedOut(
                type=entry.item.entity_type,
                entity_id=entry.item.entity_id,
                external_key=entry.remote.external_key,
                url=entry.remote.external_url,
            )
            for entry in outcome.of(action)
        ]

    return PushOut(
        run_id=outcome.run_id,
        status=outcome.status,
        dry_run=outcome.dry_run,
        created=entries("create"),
        updated=entries("update"),
        skipped=entries("skip"),
        errors=[PushErrorOut.model_validate(failure.as_json()) for failure in outcome.failed],
        links=outcome.links(),
    )
