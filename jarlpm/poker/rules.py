"""The five estimating personas and the arithmetic of a round: pure data and functions, no I/O."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from jarlpm.poker.tables import FIBONACCI_POINTS

Consensus = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    role: str
    avatar: str
    focus: str  # what this persona weighs when sizing a story

    def card(self) -> dict[str, str]:
        """The persona as the contract shows it: {id, name, role, avatar}."""
        return {"id": self.id, "name": self.name, "role": self.role, "avatar": self.avatar}


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "sr_developer",
        "Sarah",
        "Senior Developer",
        "👩‍💻",
        "architecture, hidden technical complexity, integration points and technical debt",
    ),
    Persona(
        "jr_developer",
        "Alex",
        "Junior Developer",
        "👨‍💻",
        "how much there is to learn, unclear requirements and the time a less experienced developer needs",
    ),
    Persona(
        "qa_engineer",
        "Maya",
        "QA Engineer",
        "🧪",
        "test scenarios, edge cases, regression risk and the effort to verify the acceptance criteria",
    ),
    Persona(
        "devops_engineer",
        "Jordan",
        "DevOps Engineer",
        "🔧",
        "deployment, infrastructure, configuration, monitoring and operational risk",
    ),
    Persona(
        "ux_designer",
        "Riley",
        "UX Designer",
        "🎨",
        "user flows, interface states, accessibility and design iterations",
    ),
)
PERSONA_ORDER = {persona.name: index for index, persona in enumerate(PERSONAS)}


@dataclass(frozen=True)
class Summary:
    average: float
    suggested: int
    min: int
    max: int
    consensus: Consensus


def average(points: Sequence[int]) -> float:
    """The mean, to one decimal (as the contract shows it)."""
    return round(sum(points) / len(points), 1)


def suggested(points: Sequence[int]) -> int:
    """The most frequent estimate; a tie goes to the larger value, since under-sizing costs a sprint."""
    counts = Counter(points)
    return max(counts, key=lambda value: (counts[value], value))


def consensus(points: Sequence[int]) -> Consensus:
    """high: everyone agrees; medium: the spread is one step of the scale; low: anything wider."""
    steps = FIBONACCI_POINTS.index(max(points)) - FIBONACCI_POINTS.index(min(points))
    if steps == 0:
        return "high"
    return "medium" if steps == 1 else "low"


def summarise(points: Sequence[int]) -> Summary:
    """The round's summary; `points` must hold at least one Fibonacci estimate."""
    if not points:
        raise ValueError("a summary needs at least one estimate")
    return Summary(average(points), suggested(points), min(points), max(points), consensus(points))


def in_persona_order(estimates: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Stored estimates in the order the personas speak (rows of one transaction share their timestamp)."""
    return sorted(estimates, key=lambda estimate: PERSONA_ORDER.get(estimate["persona_name"], len(PERSONAS)))
