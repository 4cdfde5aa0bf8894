"""Request and response models of /api/scoring, and the shapes the model's suggestions are read into.

Hand-entered scores are checked (the contract's 422 for ranges, 400 for the discrete sets, in the
routes); a model's suggestions are brought onto the allowed sets instead, so what the client is shown
can always be stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, RootModel, field_validator, model_validator

from jarlpm.scoring import rules

MoscowScore = Literal["must_have", "should_have", "could_have", "wont_have"]


class OptionsOut(BaseModel):
    moscow_options: dict[str, str]
    rice_impact_options: dict[str, str]
    rice_confidence_options: dict[str, str]


class MoscowIn(BaseModel):
    score: str = Field(max_length=50)
    reasoning: str | None = Field(default=None, max_length=5_000)


class RiceIn(BaseModel):
    reach: int = Field(ge=rules.REACH_RANGE[0], le=rules.REACH_RANGE[1])
    impact: float
    confidence: float
    effort: float = Field(ge=rules.EFFORT_RANGE[0], le=rules.EFFORT_RANGE[1])
    reasoning: str | None = Field(default=None, max_length=5_000)


class EpicMoscowOut(BaseModel):
    epic_id: str
    moscow_score: str | None
    moscow_label: str | None

    @classmethod
    def from_row(cls, row: dict) -> EpicMoscowOut:
        return cls(
            epic_id=row["epic_id"],
            moscow_score=row["moscow_score"],
            moscow_label=rules.moscow_label(row["moscow_score"]),
        )


class RiceOut(BaseModel):
    rice_reach: int | None
    rice_impact: float | None
    rice_impact_label: str | None
    rice_confidence: float | None
    rice_confidence_label: str | None
    rice_effort: float | None
    rice_total: float | None

    @staticmethod
    def fields_of(row: dict) -> dict[str, Any]:
        return {
            "rice_reach": row["rice_reach"],
            "rice_impact": row["rice_impact"],
            "rice_impact_label": rules.impact_label(row["rice_impact"]),
            "rice_confidence": row["rice_confidence"],
            "rice_confidence_label": rules.confidence_label(row["rice_confidence"]),
            "rice_effort": row["rice_effort"],
            "rice_total": row["rice_total"],
        }


class FeatureScoresOut(RiceOut):
    feature_id: str
    moscow_score: str | None
    moscow_label: str | None

    @classmethod
    def from_row(cls, row: dict) -> FeatureScoresOut:
        score = row["moscow_score"]
        return cls(
            feature_id=row["feature_id"],
            moscow_score=score,
            moscow_label=rules.moscow_label(score),
            **cls.fields_of(row),
        )


class StoryRiceOut(RiceOut):
    story_id: str

    @classmethod
    def from_row(cls, row: dict) -> StoryRiceOut:
        return cls(story_id=row["story_id"], **cls.fields_of(row))


class BugRiceOut(RiceOut):
    bug_id: str

    @classmethod
    def from_row(cls, row: dict) -> BugRiceOut:
        return cls(bug_id=row["bug_id"], **cls.fields_of(row))


# What the model suggests. A score it spells loosely ("Must Have") is read as the stored key; values
# off the allowed sets are moved onto them.


class MoscowSuggestion(BaseModel):
    score: MoscowScore
    reasoning: str = ""

    @field_validator("score", mode="before")
    @classmethod
    def _known_score(cls, value: Any) -> Any:
        return (rules.moscow_key(value) or value) if isinstance(value, str) else value


class RiceSuggestion(BaseModel):
    reach: int
    impact: float
    confidence: float
    effort: float
    reasoning: str = ""

    @model_validator(mode="before")
    @classmethod
    def _on_allowed_sets(cls, data: Any) -> Any:
        numbers = _numbers(data, rules.RICE_KEYS) if isinstance(data, dict) else None
        if numbers is None:
            return data  # left to the field checks, whose errors ask the model for a repair
        return {**data, **rules.normal_rice(*numbers)}

    def stored(self) -> dict[str, Any]:
        """The column values, with the total, for a repository write."""
        values = self.model_dump(include=set(rules.RICE_KEYS))
        return {**values, "total": rules.rice_total(**values), "reasoning": self.reasoning}


def _numbers(data: dict, keys: tuple[str, ...]) -> list[float] | None:
    try:
        return [float(data[key]) for key in keys]
    except (KeyError, TypeError, ValueError):
        return None


class FeatureSuggestion(BaseModel):
    moscow: MoscowSuggestion
    rice: RiceSuggestion


# Bulk scoring: the model names every item by the id it was given.


class FeatureScore(BaseModel):
    feature_id: str
    title: str | None = None
    moscow: MoscowSuggestion | None = None
    rice: RiceSuggestion | None = None


class BulkScores(BaseModel):
    suggestions: list[FeatureScore] = Field(max_length=500)


class ItemScore(BaseModel):
    item_id: str
    item_type: Literal["feature", "story", "bug"] | None = None
    title: str | None = None
    moscow: MoscowSuggestion | None = None
    rice: RiceSuggestion | None = None


class BulkAllScores(BaseModel):
    features: list[ItemScore] = Field(default_factory=list, max_length=500)
    stories: list[ItemScore] = Field(default_factory=list, max_length=2_000)
    bugs: list[ItemScore] = Field(default_factory=list, max_length=2_000)


class BulkScoreOut(BaseModel):
    epic_id: str
    epic_title: str
    suggestions: list[FeatureScore]
    generated_at: datetime


class ApplyScoresIn(RootModel[list[FeatureScore]]):
    root: list[FeatureScore] = Field(max_length=500)


class ApplyScoresOut(BaseModel):
    applied: int
    feature_ids: list[str]


class BulkScoreAllOut(BaseModel):
    epic_id: str
    epic_title: str
    feature_suggestions: list[ItemScore]
    story_suggestions: list[ItemScore]
    bug_suggestions: list[ItemScore]
    generated_at: datetime


class ApplyAllScoresIn(BaseModel):
    epic_id: str | None = None
    epic_title: str | None = None
    feature_suggestions: list[ItemScore] = Field(default_factory=list, max_length=500)
    story_suggestions: list[ItemScore] = Field(default_factory=list, max_length=2_000)
    bug_suggestions: list[ItemScore] = Field(default_factory=list, max_length=2_000)
    generated_at: datetime | None = None


class AppliedCounts(BaseModel):
    features: int
    stories: int
    bugs: int


class ApplyAllScoresOut(BaseModel):
    applied: AppliedCounts
    total: int


class ScoredItem(BaseModel):
    item_id: str
    item_type: Literal["epic", "standalone_story", "standalone_bug"]
    title: str
    description: str | None = None
    moscow_score: str | None = None
    rice_reach: int | None = None
    rice_impact: float | None = None
    rice_confidence: float | None = None
    rice_effort: float | None = None
    rice_total: float | None = None
    scored_at: datetime | None = None
    has_children: bool = False
    children_scored: int = 0
    children_total: int = 0


class ScoredItemsOut(BaseModel):
    items: list[ScoredItem]
    total: int


class ScorableEpic(BaseModel):
    epic_id: str
    title: str
    moscow_score: str | None
    has_moscow: bool


class ScorableStory(BaseModel):
    story_id: str
    title: str
    rice_total: float | None
    has_rice: bool


class ScorableBug(BaseModel):
    bug_id: str
    title: str
    severity: str
    rice_total: float | None
    has_rice: bool


class ItemsForScoringOut(BaseModel):
    epics: list[ScorableEpic]
    standalone_stories: list[ScorableStory]
    standalone_bugs: list[ScorableBug]


class RiceColumns(BaseModel):
    rice_reach: int | None
    rice_impact: float | None
    rice_confidence: float | None
    rice_effort: float | None
    rice_total: float | None
    rice_reasoning: str | None


class FeatureScoreRow(RiceColumns):
    feature_id: str
    title: str
    moscow_score: str | None
    moscow_reasoning: str | None


class StoryScoreRow(RiceColumns):
    story_id: str
    feature_id: str | None
    title: str | None
    story_points: int | None


class BugScoreRow(RiceColumns):
    bug_id: str
    title: str
    severity: str


class EpicScoresOut(BaseModel):
    epic_id: str
    title: str
    moscow_score: str | None
    moscow_reasoning: str | None
    features: list[FeatureScoreRow]
    stories: list[StoryScoreRow]
    bugs: list[BugScoreRow]
