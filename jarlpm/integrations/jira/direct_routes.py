"""/api/export/jira: a one-off export of an epic tree to the user's own Jira site, with an email and API
token sent in the request. The same client and issues as the OAuth push, Basic auth instead of a token;
nothing is remembered (the credentials are neither stored nor logged), so each export creates anew.
The site URL obeys the private-address rule of local LLM URLs, checked before and on every call.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from quart import Blueprint
from quart_schema import validate_request, validate_response

from jarlpm import db
from jarlpm.errors import APIError
from jarlpm.export.service import load_tree
from jarlpm.http import current_settings
from jarlpm.http.auth import current_caller, login_required
from jarlpm.integrations.jira import client as jira
from jarlpm.integrations.jira.issues import FieldMappings, items
from jarlpm.integrations.jira.models import DirectExportIn, DirectExportOut, ExportedOut, ExportErrorOut
from jarlpm.integrations.jira.service import JiraTracker
from jarlpm.integrations.push import send_once
from jarlpm.llm.urls import check_reachable_url

blueprint = Blueprint("jira_export", __name__, url_prefix="/export")


def site_url(raw: str) -> str:
    """The site's base URL (http or https, a host, maybe a context path; no credentials, query or fragment)."""
    try:
        parts = urlsplit(raw.strip())
        plain = (
            parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and parts.port != 0
            and not (parts.username or parts.password or parts.query or parts.fragment)
        )
    except ValueError:  # a malformed host or port
        plain = False
    if not plain:
        raise APIError(
            400, "INVALID_JIRA_URL", "jira_base_url must be your site's address, e.g. https://team.atlassian.net"
        )
    return raw.strip().rstrip("/")


@blueprint.post("/jira")
@login_required
@validate_request(DirectExportIn)
@validate_response(DirectExportOut)
async def export_to_jira(data: DirectExportIn) -> DirectExportOut:
    """Create the epic, its features, stories (and linked bugs) in Jira with your own API token."""
    base_url = site_url(data.jira_base_url)
    allow_private = current_settings().llm_allow_private_urls
    await check_reachable_url(base_url, allow_private=allow_private)
    caller = current_caller()
    async with db.connection(caller) as conn:
        tree = await load_tree(conn, user_id=caller.id, epic_id=data.epic_id, include_bugs=data.include_bugs)
    mappings = FieldMappings()
    auth = jira.BasicAuth(data.jira_email, data.jira_api_token.get_secret_value())
    client = jira.JiraClient(base_url, auth, user_url=True, allow_private=allow_private)
    tracker = JiraTracker(
        client, project_key=data.jira_project_key, mappings=mappings, site_url=base_url, epic_id=tree.epic.epic_id
    )
    outcome = await send_once(
        tracker, items(tree, push_scope="full", include_bugs=data.include_bugs, mappings=mappings)
    )
    created = [
        ExportedOut(
            type=entry.item.entity_type,
            entity_id=entry.item.entity_id,
            title=entry.item.title,
            key=entry.remote.external_key,
            url=entry.remote.external_url,
        )
        for entry in outcome.done
    ]
    errors = [
        ExportErrorOut(
            type=failure.item.entity_type,
            entity_id=failure.item.entity_id,
            title=failure.item.title,
            error=failure.error,
        )
        for failure in outcome.failed
    ]
    return DirectExportOut(
        success=not errors, created_count=len(created), error_count=len(errors), created=created, errors=errors
    )
