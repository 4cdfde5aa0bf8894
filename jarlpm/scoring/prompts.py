"""The words sent to the model for scoring: one system prompt, and one user message per kind of item.
Pure: plain dicts in, strings out."""

from __future__ import annotations

import json
from collections.abc import Iterable

from jarlpm.llm.calls import Message

PROMPT_VERSION = "scoring-1"

SYSTEM = (
    "You are a senior product manager who prioritises work with MoSCoW and RICE.\n"
    "MoSCoW scores: must_have, should_have, could_have, wont_have.\n"
    "RICE: reach is a whole number from 1 to 10; impact is one of 0.25, 0.5, 1, 2, 3; confidence is one of "
    "0.5, 0.8, 1.0; effort is from 0.5 to 10 (person-weeks). Give a short reasoning for every score."
)
RICE_SHAPE = (
    '{"reach": 1-10, "impact": 0.25|0.5|1|2|3, "confidence": 0.5|0.8|1.0, "effort": 0.5-10, "reasoning": "..."}'
)
MOSCOW_SHAPE = '{"score": "must_have|should_have|could_have|wont_have", "reasoning": "..."}'


def _tagged(shape: str) -> str:
    return (
        "Explain your thinking briefly, then end with exactly one block:\n"
        f"[SUGGESTION]{shape}[/SUGGESTION]\n"
        "The block holds JSON only."
    )


def _lines(*pairs: tuple[str, object]) -> str:
    return "\n".join(f"{label}: {value}" for label, value in pairs if value)


def _criteria(items: Iterable[str] | None) -> str:
    return "; ".join(items or [])


def epic_moscow(epic: dict) -> list[Message]:
    about = _lines(
        ("Epic", epic["title"]),
        ("Problem", epic["problem_statement"]),
        ("Desired outcome", epic["desired_outcome"]),
        ("Summary", epic["epic_summary"]),
        ("Acceptance criteria", _criteria(epic["acceptance_criteria"])),
    )
    return [{"role": "user", "content": f"Suggest a MoSCoW score for this epic.\n\n{about}\n\n{_tagged(MOSCOW_SHAPE)}"}]


def feature(item: dict) -> list[Message]:
    about = _lines(
        ("Feature", item["title"]),
        ("Description", item["description"]),
        ("Acceptance criteria", _criteria(item["acceptance_criteria"])),
    )
    shape = f'{{"moscow": {MOSCOW_SHAPE}, "rice": {RICE_SHAPE}}}'
    return [
        {"role": "user", "content": f"Suggest MoSCoW and RICE scores for this feature.\n\n{about}\n\n{_tagged(shape)}"}
    ]


def story(item: dict) -> list[Message]:
    about = _lines(
        ("Story", item["title"]),
        ("Text", item["story_text"]),
        ("Acceptance criteria", _criteria(item["acceptance_criteria"])),
        ("Story points", item["story_points"]),
    )
    return [
        {"role": "user", "content": f"Suggest a RICE score for this user story.\n\n{about}\n\n{_tagged(RICE_SHAPE)}"}
    ]


def bug(item: dict) -> list[Message]:
    about = _lines(
        ("Bug", item["title"]),
        ("Description", item["description"]),
        ("Severity", item["severity"]),
        ("Priority", item["priority"]),
        ("Steps to reproduce", item["steps_to_reproduce"]),
    )
    return [
        {"role": "user", "content": f"Suggest a RICE score for fixing this bug.\n\n{about}\n\n{_tagged(RICE_SHAPE)}"}
    ]


def _listing(items: list[dict], id_key: str, *fields: str) -> str:
    return json.dumps([{"id": item[id_key], **{field: item[field] for field in fields}} for item in items])


def bulk_features(epic: dict, features: list[dict]) -> list[Message]:
    listing = _listing(features, "feature_id", "title", "description")
    shape = f'{{"suggestions": [{{"feature_id": "<id as given>", "moscow": {MOSCOW_SHAPE}, "rice": {RICE_SHAPE}}}]}}'
    return [
        {
            "role": "user",
            "content": (
                f'Score every feature of the epic "{epic["title"]}" ({epic["epic_summary"] or ""}).\n'
                f"Features (JSON): {listing}\n\n"
                f"Answer with JSON only, one suggestion per feature, naming each by its id exactly as given:\n{shape}"
            ),
        }
    ]


def bulk_all(epic: dict, features: list[dict], stories: list[dict], bugs: list[dict]) -> list[Message]:
    item = f'{{"item_id": "<id as given>", "rice": {RICE_SHAPE}}}'
    feature_item = f'{{"item_id": "<id as given>", "moscow": {MOSCOW_SHAPE}, "rice": {RICE_SHAPE}}}'
    shape = f'{{"features": [{feature_item}], "stories": [{item}], "bugs": [{item}]}}'
    return [
        {
            "role": "user",
            "content": (
                f'Score everything under the epic "{epic["title"]}" ({epic["epic_summary"] or ""}).\n'
                f"Features (JSON): {_listing(features, 'feature_id', 'title', 'description')}\n"
                f"Stories (JSON): {_listing(stories, 'story_id', 'title', 'story_text')}\n"
                f"Bugs (JSON): {_listing(bugs, 'bug_id', 'title', 'description')}\n\n"
                "Answer with JSON only: MoSCoW and RICE for each feature, RICE for each story and bug, naming each "
                f"item by its id exactly as given:\n{shape}"
            ),
        }
    ]
