"""Azure DevOps REST (api-version 7.1) with a personal access token: the organisation URL rule and
the few calls JarlPM makes.

Every call goes through `jarlpm.outbound` with `user_url=True`: the organisation URL comes from a
user, so the private-address rule (LLM_ALLOW_PRIVATE_URLS) is checked before each call, not only
when the URL is saved. The PAT travels only in the Authorization header of these requests (Basic,
empty user name), and never in a log line, an answer or an error.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx2

from jarlpm.errors import APIError
from jarlpm.http import current_settings
from jarlpm.llm.urls import check_reachable_url, host_and_port
from jarlpm.outbound import OutboundError, send

API_VERSION = "7.1"
PATCH_CONTENT_TYPE = "application/json-patch+json"
ORGANIZATION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
CLOUD_HOST = "dev.azure.com"
LEGACY_SUFFIX = ".visualstudio.com"
MAX_CLASSIFICATION_DEPTH = 10


class PatRejected(OutboundError):
    """Azure DevOps refused the PAT (401, 403, or its 203 sign-in page): the integration is unusable
    until the user connects a new one, so the push engine stops at once."""

    @property
    def revoked(self) -> bool:
        return True


def _invalid(detail: str) -> APIError:
    return APIError(400, "INVALID_ORGANIZATION_URL", detail)


def normalize_organization_url(raw: str) -> str:
    """`https://dev.azure.com/<org>`, `https://<org>.visualstudio.com`, a bare organisation name, or
    (Azure DevOps Server, the tests' fake) any other http(s) URL of a collection, without the
    project part or a trailing slash; 400 INVALID_ORGANIZATION_URL otherwise."""
    text = raw.strip().rstrip("/")
    if ORGANIZATION_NAME.fullmatch(text) and "." not in text:
        return f"https://{CLOUD_HOST}/{text}"
    try:
        host_and_port(text)
    except APIError as error:
        raise _invalid(error.detail.replace("base_url", "organization_url")) from None
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    segments = [segment for segment in parts.path.split("/") if segment]
    if host == CLOUD_HOST:
        if not segments or not ORGANIZATION_NAME.fullmatch(segments[0]):
            raise _invalid("organization_url must name the organization: https://dev.azure.com/<organization>")
        return f"https://{CLOUD_HOST}/{segments[0]}"
    if host.endswith(LEGACY_SUFFIX):
        return f"https://{host}"
    return f"{parts.scheme}://{parts.netloc}" + "".join(f"/{segment}" for segment in segments)


def organization_name(org_url: str) -> str:
    """What the user calls the organisation: its name on dev.azure.com or visualstudio.com, else the
    collection (the URL's last path segment) or the host."""
    parts = urlsplit(org_url)
    host = parts.hostname or ""
    if host.endswith(LEGACY_SUFFIX):
        return host[: -len(LEGACY_SUFFIX)]
    segments = [segment for segment in parts.path.split("/") if segment]
    return segments[-1] if segments else host


async def check_organization_url(org_url: str) -> None:
    """The private-address rule, worded for this field (400 PRIVATE_URL_REFUSED or unresolvable)."""
    try:
        await check_reachable_url(org_url, allow_private=current_settings().llm_allow_private_urls)
    except APIError as error:
        raise APIError(error.status, error.code, error.detail.replace("base_url", "organization_url")) from None


def _segment(value: str) -> str:
    return quote(value, safe="")


@dataclass(frozen=True)
class WorkItem:
    id: int
    fields: Mapping[str, Any]
    relations: list[Mapping[str, Any]]


class AzureDevOps:
    """One organisation reached with one PAT."""

    def __init__(self, org_url: str, pat: str) -> None:
        self.org_url = org_url
        self._auth = "Basic " + base64.b64encode(f":{pat}".encode()).decode("ascii")

    def __repr__(self) -> str:  # never print the PAT
        return f"AzureDevOps({self.org_url})"

    # --- plumbing ----------------------------------------------------------------------------
    async def _call(self, method: str, path: str, *, body: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        headers = {"Authorization": self._auth, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = PATCH_CONTENT_TYPE if method in ("POST", "PATCH") else "application/json"
        try:
            response = await send(
                method,
                f"{self.org_url}/{path}",
                headers=headers,
                json=body,
                params={**(params or {}), "api-version": API_VERSION},
                user_url=True,
                allow_private=current_settings().llm_allow_private_urls,
            )
        except OutboundError as error:
            if error.status in (401, 403):
                raise PatRejected(error.code, error.message, error.status) from None
            raise
        return _json(response)

    # --- organisation and projects -----------------------------------------------------------
    async def projects(self) -> list[dict[str, Any]]:
        body = await self._call("GET", "_apis/projects", params={"$top": 500})
        return _values(body)

    async def teams(self, project: str) -> list[dict[str, Any]]:
        return _values(await self._call("GET", f"_apis/projects/{_segment(project)}/teams"))

    async def classification(self, project: str, group: str) -> dict[str, Any]:
        """The project's iteration or area tree (`group` is "iterations" or "areas")."""
        path = f"{_segment(project)}/_apis/wit/classificationnodes/{group}"
        body = await self._call("GET", path, params={"$depth": MAX_CLASSIFICATION_DEPTH})
        if not isinstance(body, dict):
            raise _malformed()
        return body

    async def work_item_types(self, project: str) -> list[dict[str, Any]]:
        return _values(await self._call("GET", f"{_segment(project)}/_apis/wit/workitemtypes"))

    async def fields(self, project: str) -> list[dict[str, Any]]:
        return _values(await self._call("GET", f"{_segment(project)}/_apis/wit/fields"))

    # --- work items --------------------------------------------------------------------------
    async def create_work_item(self, project: str, work_item_type: str, operations: list[dict[str, Any]]) -> WorkItem:
        path = f"{_segment(project)}/_apis/wit/workitems/${_segment(work_item_type)}"
        return _work_item(await self._call("POST", path, body=operations))

    async def update_work_item(self, work_item_id: str, operations: list[dict[str, Any]]) -> WorkItem:
        return _work_item(await self._call("PATCH", f"_apis/wit/workitems/{_segment(work_item_id)}", body=operations))

    async def work_item(self, work_item_id: str) -> WorkItem:
        path = f"_apis/wit/workitems/{_segment(work_item_id)}"
        return _work_item(await self._call("GET", path, params={"$expand": "relations"}))

    def api_url(self, work_item_id: str) -> str:
        """How a relation names a work item."""
        return f"{self.org_url}/_apis/wit/workItems/{work_item_id}"

    def web_url(self, project: str, work_item_id: str) -> str:
        """Where a person opens the work item."""
        return f"{self.org_url}/{_segment(project)}/_workitems/edit/{work_item_id}"


def _malformed() -> OutboundError:
    return OutboundError("TRACKER_UNAVAILABLE", "Azure DevOps answered with something that is not its API")


def _json(response: httpx2.Response) -> Any:
    # A PAT Azure DevOps does not accept may get a 203 and its HTML sign-in page instead of a 401.
    if response.status_code == 203 or "json" not in response.headers.get("Content-Type", ""):
        raise PatRejected("TRACKER_UNAUTHORIZED", "The tracker no longer accepts these credentials", 401)
    try:
        return response.json()
    except ValueError:
        raise _malformed() from None


def _values(body: Any) -> list[dict[str, Any]]:
    values = body.get("value") if isinstance(body, dict) else None
    if not isinstance(values, list):
        raise _malformed()
    return [value for value in values if isinstance(value, dict)]


def _work_item(body: Any) -> WorkItem:
    if not isinstance(body, dict) or not isinstance(body.get("id"), int):
        raise _malformed()
    raw_fields = body.get("fields")
    fields: dict[str, Any] = raw_fields if isinstance(raw_fields, dict) else {}
    relations: list[Mapping[str, Any]] = [
        relation for relation in body.get("relations") or [] if isinstance(relation, dict)
    ]
    return WorkItem(body["id"], fields, relations)
