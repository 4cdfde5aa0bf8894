"""A push, the same for every tracker: plan each item against what was pushed before, then create, update
or skip it, parents before children, and remember what each became the moment the tracker says so.

A tracker module supplies the items (an epic, its features, their stories, maybe bugs, each with the
fields the tracker will hold) and a `Tracker` that creates and updates one item. This module decides
the rest, identically for all three:

- an item with a mapping is updated, one without is created; one whose fields (and parent) hash to what
  was last pushed is skipped;
- items go level by level (epic, then features, then stories and bugs), a few at a time within a level;
  an item whose parent failed is not attempted;
- every success is recorded at once, in its own short transaction, so a push that fails half way (or a
  process that dies) leaves mappings for exactly what exists remotely, and the next push completes the
  rest without duplicates;
- an item updated remotely but deleted there since is created again;
- credentials the tracker no longer accepts stop the push (nothing else would succeed);
- one run row per push (dry runs too), written as failed when it starts and given its outcome at the end;
- no pooled connection is held while a tracker is called.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from jarlpm import db
from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.integrations import repo
from jarlpm.integrations.tables import PushStatus
from jarlpm.outbound import OutboundError

log = logging.getLogger(__name__)

Action = Literal["create", "update", "skip"]
CONCURRENCY = 4
LINKS_KEPT = 10
PARENT_NOT_PUSHED = "Not pushed: its parent could not be pushed"
NOT_ATTEMPTED = "Not pushed: the tracker stopped accepting the integration's credentials"
UNEXPECTED = "Not pushed: an unexpected error occurred"


@dataclass(frozen=True)
class Item:
    """One entity to push, with the fields the tracker will hold (what the hash covers)."""

    entity_type: str  # epic | feature | story | bug
    entity_id: str
    title: str
    parent_id: str | None
    fields: Mapping[str, Any]

    def digest(self, parent: Remote | None) -> str:
        """SHA-256 of what the tracker would hold: the fields and the parent they hang under."""
        body = {"fields": self.fields, "parent": parent.external_id if parent else None}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Remote:
    """What an item is in the tracker."""

    external_id: str
    external_type: str
    external_key: str | None = None
    external_url: str | None = None


@dataclass(frozen=True)
class Pushed:
    """An item's mapping: what it became, and the hash of what was last pushed."""

    remote: Remote
    last_push_hash: str | None


@dataclass(frozen=True)
class Planned:
    item: Item
    action: Action
    existing: Remote | None


@dataclass(frozen=True)
class Done:
    item: Item
    action: Action
    remote: Remote


@dataclass(frozen=True)
class Failed:
    item: Item
    error: str
    code: str

    def as_json(self) -> dict[str, str]:
        return {"type": self.item.entity_type, "entity_id": self.item.entity_id, "error": self.error, "code": self.code}


@dataclass
class Outcome:
    run_id: str
    dry_run: bool
    done: list[Done] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    revoked: bool = False  # the tracker refused the credentials: the integration needs reconnecting

    def of(self, action: Action) -> list[Done]:
        return [entry for entry in self.done if entry.action == action]

    @property
    def status(self) -> PushStatus:
        if not self.failed:
            return "success"
        return "partial" if any(entry.action != "skip" for entry in self.done) else "failed"

    def links(self) -> list[str]:
        return [entry.remote.external_url for entry in self.done if entry.remote.external_url][:LINKS_KEPT]

    def summary(self) -> dict[str, Any]:
        return {
            "created": len(self.of("create")),
            "updated": len(self.of("update")),
            "skipped": len(self.of("skip")),
            "errors": len(self.failed),
            "links": self.links(),
        }


class Tracker(Protocol):
    """One tracker's way of creating and updating an item (its fields, its hierarchy links)."""

    async def create(self, item: Item, parent: Remote | None) -> Remote: ...

    async def update(self, item: Item, existing: Remote, parent: Remote | None) -> Remote: ...


@dataclass(frozen=True)
class Target:
    """Where a push goes, recorded with its mappings and run."""

    user_id: str
    integration_id: str
    provider: str
    project_id: str | None = None
    team_id: str | None = None


async def existing_mappings(conn: Any, *, target: Target, items: Sequence[Item]) -> dict[tuple[str, str], Pushed]:
    rows = await repo.list_mappings(
        conn, user_id=target.user_id, provider=target.provider, entity_ids=[item.entity_id for item in items]
    )
    return {
        (row["entity_type"], row["entity_id"]): Pushed(
            Remote(row["external_id"], row["external_type"], row["external_key"], row["external_url"]),
            row["last_push_hash"],
        )
        for row in rows
    }


def plan(items: Sequence[Item], mappings: Mapping[tuple[str, str], Pushed]) -> list[Planned]:
    """What a push would do to each item, judged against what was pushed before (for previews)."""
    remotes = {key[1]: mapping.remote for key, mapping in mappings.items()}
    planned = []
    for item in items:
        mapping = mappings.get((item.entity_type, item.entity_id))
        if mapping is None:
            planned.append(Planned(item, "create", None))
            continue
        parent = remotes.get(item.parent_id) if item.parent_id else None
        unchanged = mapping.last_push_hash == item.digest(parent)
        planned.append(Planned(item, "skip" if unchanged else "update", mapping.remote))
    return planned


def levels(items: Sequence[Item]) -> list[list[Item]]:
    """Items grouped by depth (parents first), each group in the order given."""
    by_id = {item.entity_id: item for item in items}

    def depth(item: Item) -> int:
        seen, current = 0, item
        while current.parent_id in by_id and seen < len(items):
            current, seen = by_id[current.parent_id], seen + 1
        return seen

    grouped: dict[int, list[Item]] = {}
    for item in items:
        grouped.setdefault(depth(item), []).append(item)
    return [grouped[key] for key in sorted(grouped)]


class _Push:
    """One push's work; with no target (a direct export) nothing is remembered and everything is created."""

    def __init__(
        self, tracker: Tracker, target: Target | None, mappings: Mapping[tuple[str, str], Pushed], outcome: Outcome
    ):
        self.tracker = tracker
        self.target = target
        self.mappings = mappings
        self.outcome = outcome
        self.remotes: dict[str, Remote] = {}
        self.failed_ids: set[str] = set()
        self.slots = asyncio.Semaphore(CONCURRENCY)

    async def run(self, items: Sequence[Item]) -> None:
        for level in levels(items):
            await asyncio.gather(*(self._one(item) for item in level))

    async def _one(self, item: Item) -> None:
        if self.outcome.revoked:
            return self._fail(item, NOT_ATTEMPTED, "NOT_ATTEMPTED")
        if item.parent_id in self.failed_ids:
            return self._fail(item, PARENT_NOT_PUSHED, "PARENT_NOT_PUSHED")
        parent = self.remotes.get(item.parent_id) if item.parent_id else None
        mapping = self.mappings.get((item.entity_type, item.entity_id))
        digest = item.digest(parent)
        if mapping is not None and mapping.last_push_hash == digest:
            return self._done(item, "skip", mapping.remote)
        action: Action = "update" if mapping is not None else "create"
        if self.outcome.dry_run:
            return self._done(item, action, mapping.remote if mapping else _planned_remote(item))
        async with self.slots:
            try:
                remote, action = await self._send(item, mapping, parent)
            except OutboundError as error:
                self.outcome.revoked = self.outcome.revoked or error.revoked
                return self._fail(item, str(error), error.code)
            except Exception:
                log.exception("pushing %s %s failed", item.entity_type, item.entity_id)
                return self._fail(item, UNEXPECTED, "UNEXPECTED")
            await self._remember(item, remote, digest)
        self._done(item, action, remote)

    async def _send(self, item: Item, mapping: Pushed | None, parent: Remote | None) -> tuple[Remote, Action]:
        if mapping is None:
            return await self.tracker.create(item, parent), "create"
        try:
            return await self.tracker.update(item, mapping.remote, parent), "update"
        except OutboundError as error:
            if error.code != "TRACKER_NOT_FOUND":
                raise
        # Deleted in the tracker since the last push: it is created again.
        return await self.tracker.create(item, parent), "create"

    async def _remember(self, item: Item, remote: Remote, digest: str) -> None:
        target = self.target
        if target is None:
            return
        async with db.connection(target.user_id) as conn:
            await queries.integrations.record_mapping(
                conn,
                mapping_id=new_id("map"),
                user_id=target.user_id,
                integration_id=target.integration_id,
                entity_type=item.entity_type,
                entity_id=item.entity_id,
                external_type=remote.external_type,
                external_id=remote.external_id,
                external_key=remote.external_key,
                external_url=remote.external_url,
                project_id=target.project_id,
                team_id=target.team_id,
                last_push_hash=digest,
            )

    def _done(self, item: Item, action: Action, remote: Remote) -> None:
        self.remotes[item.entity_id] = remote
        self.outcome.done.append(Done(item, action, remote))

    def _fail(self, item: Item, error: str, code: str) -> None:
        self.failed_ids.add(item.entity_id)
        self.outcome.failed.append(Failed(item, error, code))


def _planned_remote(item: Item) -> Remote:
    # A dry run's stand-in for what would be created, so its children can be planned under it.
    return Remote(external_id=f"planned:{item.entity_id}", external_type="planned")


async def push(
    tracker: Tracker,
    target: Target,
    items: Sequence[Item],
    *,
    dry_run: bool,
    epic_id: str,
    push_scope: str,
    include_bugs: bool,
) -> Outcome:
    """Push `items` (read and released by the caller) and record the run; the outcome says what happened."""
    outcome = Outcome(run_id=new_id("run"), dry_run=dry_run)
    async with db.transaction(target.user_id) as conn:
        mappings = await existing_mappings(conn, target=target, items=items)
        await queries.integrations.start_run(
            conn,
            run_id=outcome.run_id,
            user_id=target.user_id,
            integration_id=target.integration_id,
            epic_id=epic_id,
            push_scope=push_scope,
            include_bugs=include_bugs,
            is_dry_run=dry_run,
        )
    try:
        await _Push(tracker, target, mappings, outcome).run(items)
    finally:
        async with db.connection(target.user_id) as conn:
            await queries.integrations.end_run(
                conn,
                run_id=outcome.run_id,
                user_id=target.user_id,
                status=outcome.status,
                summary_json=outcome.summary(),
                error_json=[failure.as_json() for failure in outcome.failed],
            )
    return outcome


async def send_once(tracker: Tracker, items: Sequence[Item]) -> Outcome:
    """A direct export (credentials in the request): every item created, parents first; nothing is
    remembered, so nothing is stored and a second export creates everything again."""
    outcome = Outcome(run_id="", dry_run=False)
    await _Push(tracker, None, {}, outcome).run(items)
    return outcome
