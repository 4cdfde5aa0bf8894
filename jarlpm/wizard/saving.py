"""Saving a generated initiative, and what users later change of it.

A save leaves exactly what the chat flow would have: a locked epic whose snapshot is confirmed in all
three parts, the decisions and the system event of that path, approved features and draft stories,
so every other room (features, stories, poker, export, delivery...) works on it unchanged. Every id is
the server's: the payload's ids only name the items in the answer's `feature_ids` / `story_ids` maps.

What users then change of a wizard-made feature or story is logged by a trigger (migration 0013);
`edit_patterns` reads those rows back.
"""

from __future__ import annotations

from collections.abc import Iterable

from asyncpg import Connection
from pydantic import model_validator

from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.epics import repo as epics_repo
from jarlpm.epics.rules import AUTO_ADVANCE, PROPOSAL_KINDS
from jarlpm.prd import repo as prd_repo
from jarlpm.prd.rules import markdown_sections
from jarlpm.wizard.models import PRD, EditPatternsOut, Initiative, SaveOut, Story
from jarlpm.wizard.tables import EDIT_TYPES

CREATED_EVENT = "Created by the initiative wizard"
MOSCOW = {"must-have": "must_have", "should-have": "should_have", "nice-to-have": "could_have"}


class SaveIn(Initiative):
    """The save body: the generator's `initiative.data`, whose ids must each name one item."""

    @model_validator(mode="after")
    def _unique_ids(self) -> SaveIn:
        feature_ids = [feature.id for feature in self.features]
        story_ids = [story.id for feature in self.features for story in feature.stories]
        for kind, ids in (("feature", feature_ids), ("story", story_ids)):
            repeated = sorted({item for item in ids if ids.count(item) > 1})
            if repeated:
                raise ValueError(f"each {kind} id may appear once; repeated: {', '.join(repeated)}")
        return self


# --- what the snapshot says ------------------------------------------------------------------------------


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _section(label: str, body: str) -> str | None:
    return f"{label}:\n{body}" if body.strip() else None


def _unique(items: Iterable[str]) -> list[str]:
    """The non-blank items, first occurrence kept, in order."""
    return list(dict.fromkeys(item.strip() for item in items if item.strip()))


def epic_summary(data: Initiative) -> str:
    """The epic's description, then its vision, users, scope, risks and metrics, as labelled paragraphs."""
    prd = data.prd
    users = _bullets(
        f"{user.persona}: {user.context}" if user.context.strip() else user.persona for user in prd.target_users
    )
    scope = _bullets(f"{s.item}: {s.rationale}" if s.rationale.strip() else s.item for s in prd.mvp_scope)
    parts = [
        data.epic.description.strip(),
        f"Vision: {data.epic.vision.strip()}" if data.epic.vision.strip() else None,
        _section("Target users", users),
        _section("MVP scope", scope),
        _section("Risks", _bullets(_unique(prd.risks))),
        _section("Success metrics", _bullets(_unique(prd.key_metrics))),
    ]
    return "\n\n".join(part for part in parts if part)


def acceptance_criteria(prd: PRD) -> list[str]:
    """The PRD's metrics, then one criterion per MVP scope item: what "done" means for the epic."""
    return _unique([*prd.key_metrics, *(f"MVP scope delivered: {scope.item}" for scope in prd.mvp_scope)])


def epic_details(data: Initiative) -> dict[str, list[str]]:
    """The four lists the epics room keeps beside the summary (In Scope, Out of Scope, Dependencies, Assumptions)."""
    prd = data.prd
    stories = [story for feature in data.features for story in feature.stories]
    return {
        "in_scope": _unique(scope.item for scope in prd.mvp_scope),
        "out_of_scope": _unique([*(scope.item for scope in prd.not_now), *prd.out_of_scope]),
        "dependencies": _unique(dependency for story in stories for dependency in story.dependencies),
        "assumptions": _unique(assumption.assumption for assumption in prd.assumptions),
    }


def final_proposal(summary: str, criteria: list[str], details: dict[str, list[str]]) -> str:
    """The final epic written the way the epic conversation proposes it (the decision's content)."""
    labels = {
        "in_scope": "In Scope",
        "out_of_scope": "Out of Scope",
        "dependencies": "Dependencies",
        "assumptions": "Assumptions",
    }
    parts = [f"Epic Summary: {summary}", _section("Acceptance Criteria", _bullets(f"[ ] {c}" for c in criteria))]
    parts += [_section(label, _bullets(details[key])) for key, label in labels.items()]
    return "\n".join(part for part in parts if part)


def decisions(problem: str, outcome: str, final: str) -> list[dict]:
    """The trail of the chat flow: each confirmed proposal, and each automatic advance after one."""
    content = {"problem_statement": problem, "desired_outcome": outcome, "epic_final": final}
    trail: list[dict] = []
    for kind in PROPOSAL_KINDS.values():
        trail.append(_decision("confirm_proposal", kind.stage, kind.target_stage, new_id("prop"), content[kind.field]))
        if kind.target_stage in AUTO_ADVANCE:
            trail.append(_decision("auto_advance", kind.target_stage, AUTO_ADVANCE[kind.target_stage], None, None))
    return [{**decision, "ordinal": ordinal} for ordinal, decision in enumerate(trail)]


def _decision(kind: str, from_stage: str, to_stage: str, proposal_id: str | None, content: str | None) -> dict:
    return {
        "decision_id": new_id("dec"),
        "decision_type": kind,
        "from_stage": from_stage,
        "to_stage": to_stage,
        "proposal_id": proposal_id,
        "content_snapshot": content,
    }


# --- the features and stories ----------------------------------------------------------------------------

# Story fields without a column of their own, kept (labelled) in notes_for_engineering.
_TEXT_NOTES = (("Description", "description"), ("Success criteria", "success_criteria"), ("UX notes", "ux_notes"))
_LIST_NOTES = (("Non-goals", "non_goals"), ("Instrumentation", "instrumentation"))


def engineering_notes(story: Story) -> str | None:
    """The story's own notes, then each non-empty field that has no column, under its label."""
    parts: list[str | None] = [story.notes_for_engineering.strip()]
    for label, field in _TEXT_NOTES:
        value = getattr(story, field).strip()
        parts.append(f"{label}: {value}" if value else None)
    parts += [_section(label, _bullets(_unique(getattr(story, field)))) for label, field in _LIST_NOTES]
    return "\n\n".join(part for part in parts if part) or None


def work_rows(data: Initiative) -> tuple[list[dict], list[dict], dict[str, str], dict[str, str]]:
    """The feature and story rows to insert, with fresh ids, and the payload-id -> server-id maps."""
    features: list[dict] = []
    stories: list[dict] = []
    feature_ids: dict[str, str] = {}
    story_ids: dict[str, str] = {}
    for index, feature in enumerate(data.features):
        feature_id = feature_ids[feature.id] = new_id("feat")
        features.append(
            {
                "ordinal": index,
                "feature_id": feature_id,
                "title": feature.name,
                "description": feature.description,
                "priority": index,
                "moscow_score": MOSCOW[feature.priority],
            }
        )
        for position, story in enumerate(feature.stories):
            story_id = story_ids[story.id] = new_id("story")
            stories.append(_story_row(story, story_id, feature_id, position, ordinal=len(stories)))
    return features, stories, feature_ids, story_ids


def _story_row(story: Story, story_id: str, feature_id: str, position: int, *, ordinal: int) -> dict:
    return {
        "ordinal": ordinal,
        "story_id": story_id,
        "feature_id": feature_id,
        "title": story.title,
        "persona": story.persona,
        "action": story.action,
        "benefit": story.benefit,
        "acceptance_criteria": story.acceptance_criteria,
        "labels": story.labels,
        "story_priority": story.priority,
        "dependencies": story.dependencies,
        "risks": story.risks,
        "edge_cases": story.edge_cases,
        "notes_for_engineering": engineering_notes(story),
        "story_points": story.points,
        "priority": position,
    }


def total_points(data: Initiative) -> int:
    return sum(story.points or 0 for feature in data.features for story in feature.stories)


# --- the PRD document ------------------------------------------------------------------------------------


def prd_markdown(data: Initiative) -> str:
    """The generated PRD as the markdown document the PRD room keeps for the epic."""
    prd = data.prd
    users = "\n\n".join(
        "\n\n".join(
            line
            for line in (
                f"### {user.persona}",
                user.context.strip(),
                _section("Pain points", _bullets(_unique(user.pain_points))),
                f"Current workaround: {user.current_workaround}" if user.current_workaround.strip() else "",
                f"Job to be done: {user.jtbd}" if user.jtbd.strip() else "",
            )
            if line
        )
        for user in prd.target_users
    )
    positioning = prd.positioning
    position_lines = (
        ("For", positioning.for_who),
        ("Who struggle with", positioning.who_struggle_with),
        ("Our solution", positioning.our_solution),
        ("Unlike", positioning.unlike),
        ("Key benefit", positioning.key_benefit),
    )
    sections = [
        ("Problem Statement", prd.problem_statement),
        ("Problem Evidence", prd.problem_evidence),
        ("Target Users", users),
        ("Desired Outcome", prd.desired_outcome),
        ("Key Metrics", _bullets(_unique(prd.key_metrics))),
        ("MVP Scope", _bullets(f"{s.item}: {s.rationale}" if s.rationale.strip() else s.item for s in prd.mvp_scope)),
        ("Not Now", _bullets(f"{s.item}: {s.rationale}" if s.rationale.strip() else s.item for s in prd.not_now)),
        ("Out of Scope", _bullets(_unique(prd.out_of_scope))),
        (
            "Assumptions",
            _bullets(_assumption(a.assumption, a.risk_if_wrong, a.validation_approach) for a in prd.assumptions),
        ),
        ("Constraints", _bullets(_assumption(c.constraint, c.rationale, c.impact) for c in prd.constraints)),
        ("Risks", _bullets(_unique(prd.risks))),
        ("Riskiest Unknown", prd.riskiest_unknown),
        ("Validation Plan", prd.validation_plan),
        ("Positioning", "\n".join(f"- {label}: {value}" for label, value in position_lines if value.strip())),
        ("Alternatives", _bullets(_unique(prd.alternatives))),
        ("Go-to-Market Notes", prd.gtm_notes),
    ]
    head = [f"# {data.product_name}", f"_{data.tagline.strip()}_" if data.tagline.strip() else ""]
    body = [f"## {title}\n\n{text.strip()}" for title, text in sections if text.strip()]
    return "\n\n".join(part for part in (*head, *body) if part) + "\n"


def _assumption(text: str, *notes: str) -> str:
    extra = "; ".join(note.strip() for note in notes if note.strip())
    return f"{text} ({extra})" if extra else text


# --- the writes ------------------------------------------------------------------------------------------


async def save_initiative(conn: Connection, *, user_id: str, data: Initiative) -> SaveOut:
    """Write the whole initiative in the caller's transaction; nothing of the payload's ids is kept."""
    summary, criteria, details = epic_summary(data), acceptance_criteria(data.prd), epic_details(data)
    epic_id = await queries.wizard_save.create_locked_epic(
        conn, epic_id=new_id("epic"), user_id=user_id, title=data.epic.title
    )
    await queries.wizard_save.create_locked_snapshot(
        conn,
        user_id=user_id,
        epic_id=epic_id,
        problem_statement=data.prd.problem_statement,
        desired_outcome=data.prd.desired_outcome,
        epic_summary=summary,
        acceptance_criteria=criteria,
        epic_details=details,
    )
    trail = decisions(data.prd.problem_statement, data.prd.desired_outcome, final_proposal(summary, criteria, details))
    await queries.wizard_save.add_decisions(conn, user_id=user_id, epic_id=epic_id, decisions=trail)
    await epics_repo.add_event(
        conn, user_id=user_id, epic_id=epic_id, role="system", content=CREATED_EVENT, stage="epic_locked"
    )
    features, stories, feature_ids, story_ids = work_rows(data)
    created = await queries.wizard_save.add_work(
        conn, user_id=user_id, epic_id=epic_id, features=features, stories=stories
    )
    log_id = data.analytics.log_id if data.analytics else None
    await queries.wizard_save.record_save(conn, user_id=user_id, epic_id=epic_id, log_id=log_id)
    await prd_repo.upsert_prd(
        conn,
        user_id=user_id,
        epic_id=epic_id,
        title=data.product_name,
        sections=markdown_sections(prd_markdown(data)),
        source="ai_generated",
    )
    return SaveOut(
        success=True,
        epic_id=epic_id,
        features_created=created["features_created"],
        stories_created=created["stories_created"],
        total_points=total_points(data),
        feature_ids=feature_ids,
        story_ids=story_ids,
    )


async def edit_patterns(conn: Connection, *, user_id: str, days: int) -> EditPatternsOut:
    """How the user's edits of wizard-made items spread over fields and kinds in the last `days` days."""
    rows = [dict(row) async for row in queries.wizard_save.edit_counts(conn, user_id=user_id, days=days)]
    fields: dict[tuple[str, str], list[float]] = {}
    kinds = dict.fromkeys(EDIT_TYPES, 0)
    for row in rows:
        totals = fields.setdefault((row["entity_type"], row["field_edited"]), [0, 0.0])
        totals[0] += row["edits"]
        totals[1] += row["change_ratio_sum"]
        kinds[row["edit_type"]] += row["edits"]
    total = sum(row["edits"] for row in rows)
    seconds = sum(row["seconds_sum"] for row in rows)
    ranked = sorted(fields.items(), key=lambda item: (-item[1][0], item[0]))
    return EditPatternsOut(
        period_days=days,
        total_edits=total,
        most_edited_fields=[
            {"entity_type": entity, "field": field, "edits": int(edits), "avg_change_ratio": round(ratio / edits, 3)}
            for (entity, field), (edits, ratio) in ranked
        ],
        edit_types=kinds,
        avg_time_to_edit_seconds=round(seconds / total, 1) if total else None,
    )
