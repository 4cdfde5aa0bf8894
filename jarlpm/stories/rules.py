"""Pure story rules: the three parts of "As a {persona}, I want to {action} so that {benefit}." kept clean,
so the story_text the database builds from them always reads right."""

from __future__ import annotations

import re

from jarlpm.stories.tables import STORY_PRIORITIES

DEFAULT_PRIORITY = "should-have"


def _strip_lead(value: str, pattern: str) -> str:
    return re.sub(pattern, "", value.strip(), count=1, flags=re.IGNORECASE).strip()


def clean_persona(value: str) -> str:
    return _strip_lead(value, r"^(as\s+(an?\s+)?|an?\s+)").rstrip(",")


def clean_action(value: str) -> str:
    return _strip_lead(value, r"^(i\s+want\s+to\s+|i\s+want\s+|to\s+)").rstrip(",")


def clean_benefit(value: str) -> str:
    return _strip_lead(value, r"^so\s+that\s+").rstrip(".")


def normalize_priority(value: object) -> str:
    """Anything but the three known priorities becomes should-have (as the contract's generator does)."""
    text = str(value or "").strip().lower().replace("_", "-").replace(" ", "-")
    return text if text in STORY_PRIORITIES else DEFAULT_PRIORITY
