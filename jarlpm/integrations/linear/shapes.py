"""Linear's answers built from the push engine's plans and outcomes, in the contract's keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jarlpm.integrations.linear.models import (
    ConfigureOut,
    Named,
    PreviewItem,
    PreviewOut,
    PreviewStory,
    PreviewTotals,
    PushedItem,
    PushError,
    PushOut,
)
from jarlpm.integrations.linear.service import saved_preferences
from jarlpm.integrations.push import Done, Outcome, Planned

# The push request's keys that choose how the tree is mapped (the rest choose what is pushed).
PUSH_OPTIONS = {"team_id", "project_id", "epic_mapping", "priority_mapping", "label_policy"}


def configured(row: Mapping[str, Any]) -> ConfigureOut:
    preferences = saved_preferences(row)
    team = Named(id=row["default_team_id"], name=row["default_team_name"]) if row["default_team_id"] else None
    project = (
        Named(id=row["default_project_id"], name=row["default_project_name"] or row["default_project_id"])
        if row["default_project_id"]
        else None
    )
    return ConfigureOut(status="configured", default_team=team, default_project=project, **preferences)


def preview(planned: Sequence[Planned]) -> PreviewOut:
    def entry(step: Planned) -> PreviewItem:
        return PreviewItem(id=step.item.entity_id, title=step.item.title, action=step.action)

    [epic] = [step for step in planned if step.item.entity_type == "epic"]
    return PreviewOut(
        epic=entry(epic),
        features=[entry(step) for step in planned if step.item.entity_type == "feature"],
        stories=[
            PreviewStory(
                id=step.item.entity_id, title=step.item.title, feature_id=step.item.parent_id or "", action=step.action
            )
            for step in planned
            if step.item.entity_type == "story"
        ],
        bugs=[entry(step) for step in planned if step.item.entity_type == "bug"],
        totals=PreviewTotals(
            create=sum(step.action == "create" for step in planned),
            update=sum(step.action == "update" for step in planned),
            skip=sum(step.action == "skip" for step in planned),
        ),
    )


def _pushed(entry: Done) -> PushedItem:
    remote = entry.remote
    planned_only = remote.external_type == "planned"  # a dry run's stand-in: nothing exists in Linear
    return PushedItem(
        type=entry.item.entity_type,
        id=entry.item.entity_id,
        external_id=None if planned_only else remote.external_id,
        external_key=remote.external_key,
        url=remote.external_url,
    )


def pushed(outcome: Outcome) -> PushOut:
    return PushOut(
        run_id=outcome.run_id,
        status=outcome.status,
        dry_run=outcome.dry_run,
        created=[_pushed(entry) for entry in outcome.of("create")],
        updated=[_pushed(entry) for entry in outcome.of("update")],
        skipped=[_pushed(entry) for entry in outcome.of("skip")],
        errors=[
            PushError(type=failure.item.entity_type, id=failure.item.entity_id, error=failure.error, code=failure.code)
            for failure in outcome.failed
        ],
        links=outcome.links(),
    )
