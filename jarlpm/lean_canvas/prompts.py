"""The lean canvas prompt: the epic, its features and stories in; the nine sections as JSON out."""

from __future__ import annotations

import json
from collections.abc import Mapping

from jarlpm.epics.prompts import outline_text
from jarlpm.lean_canvas.models import Canvas
from jarlpm.llm.calls import Message

ROLE = """You are JarlPM, a senior product strategist. Fill in a Lean Canvas for the epic below: problem,
solution, unique value proposition, unfair advantage, customer segments, key metrics, channels, cost
structure and revenue streams, each a few short lines grounded in the epic. Reply with only one JSON object
with exactly these keys, each a string:
"""


def canvas_prompt(outline: Mapping) -> tuple[str, list[Message]]:
    shape = json.dumps(Canvas().model_dump(), indent=1)
    return ROLE + shape, [{"role": "user", "content": outline_text(outline)}]
