"""The exported tree: an epic, its features in order, their stories in order, and the bugs linked into it.

Built once from the rows the repository fetched (plain, frozen values: the streamed writers hold no
connection and nothing that could reach one).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rice:
    reach: int | None
    impact: float | None
    confidence: float | None
    effort: float | None
    total: float | None

    @classmethod
    def of(cls, row: dict) -> Rice | None:
        if row.get("rice_total") is None:
            return None
        return cls(row["rice_reach"], row["rice_impact"], row["rice_confidence"], row["rice_effort"], row["rice_total"])

    def as_dict(self) -> dict[str, Any]:
        return {
            "reach": self.reach,
            "impact": self.impact,
            "confidence": self.confidence,
            "effort": self.effort,
            "total": self.total,
        }


@dataclass(frozen=True)
class Story:
    story_id: str
    title: str | None
    persona: str
    action: str
    benefit: str
    story_text: str
    acceptance_criteria: tuple[str, ...]
    labels: tuple[str, ...]
    priority: str | None
    points: int | None
    stage: str
    sprint_number: int | None
    status: str | None
    rice: Rice | None

    @property
    def name(self) -> str:
        """What a tracker shows as its summary: the title, or the story sentence when it has none."""
        return self.title or self.story_text


@dataclass(frozen=True)
class Feature:
    feature_id: str
    title: str
    description: str
    acceptance_criteria: tuple[str, ...]
    stage: str
    moscow: str | None
    rice: Rice | None
    stories: tuple[Story, ...]


@dataclass(frozen=True)
class Link:
    entity_type: str
    entity_id: str


@dataclass(frozen=True)
class Bug:
    bug_id: str
    title: str
    description: str
    severity: str
    priority: str | None
    status: str
    steps_to_reproduce: str | None
    expected_behavior: str | None
    actual_behavior: str | None
    environment: str | None
    rice: Rice | None
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Epic:
    epic_id: str
    title: str
    stage: str
    moscow: str | None
    problem_statement: str | None
    desired_outcome: str | None
    summary: str | None
    acceptance_criteria: tuple[str, ...]


@dataclass(frozen=True)
class ExportTree:
    epic: Epic
    features: tuple[Feature, ...]
    bugs: tuple[Bug, ...]

    @property
    def stories(self) -> tuple[Story, ...]:
        return tuple(story for feature in self.features for story in feature.stories)


def _story(row: dict) -> Story:
    return Story(
        story_id=row["story_id"],
        title=row["title"],
        persona=row["persona"],
        action=row["action"],
        benefit=row["benefit"],
        story_text=row["story_text"],
        acceptance_criteria=tuple(row["acceptance_criteria"] or ()),
        labels=tuple(row["labels"] or ()),
        priority=row["story_priority"],
        points=row["story_points"],
        stage=row["current_stage"],
        sprint_number=row["sprint_number"],
        status=row["status"],
        rice=Rice.of(row),
    )


def _bug(row: dict) -> Bug:
    return Bug(
        bug_id=row["bug_id"],
        title=row["title"],
        description=row["description"],
        severity=row["severity"],
        priority=row["priority"],
        status=row["status"],
        steps_to_reproduce=row["steps_to_reproduce"],
        expected_behavior=row["expected_behavior"],
        actual_behavior=row["actual_behavior"],
        environment=row["environment"],
        rice=Rice.of(row),
        links=tuple(Link(link["entity_type"], link["entity_id"]) for link in row["links"] or ()),
    )


def build_tree(epic: dict, features: list[dict], stories: list[dict], bugs: list[dict]) -> ExportTree:
    """The rows of the fixed set of queries as one tree; stories are grouped under their feature."""
    by_feature: dict[str, list[Story]] = defaultdict(list)
    for row in stories:
        by_feature[row["feature_id"]].append(_story(row))
    return ExportTree(
        epic=Epic(
            epic_id=epic["epic_id"],
            title=epic["title"],
            stage=epic["current_stage"],
            moscow=epic["moscow_score"],
            problem_statement=epic["problem_statement"],
            desired_outcome=epic["desired_outcome"],
            summary=epic["epic_summary"],
            acceptance_criteria=tuple(epic["acceptance_criteria"] or ()),
        ),
        features=tuple(
            Feature(
                feature_id=row["feature_id"],
                title=row["title"],
                description=row["description"],
                acceptance_criteria=tuple(row["acceptance_criteria"] or ()),
                stage=row["current_stage"],
                moscow=row["moscow_score"],
                rice=Rice.of(row),
                stories=tuple(by_feature.get(row["feature_id"], ())),
            )
            for row in features
        ),
        bugs=tuple(_bug(row) for row in bugs),
    )
