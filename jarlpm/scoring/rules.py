"""MoSCoW and RICE: the allowed values, their labels, the RICE total, and how a model's loose values are
brought onto the allowed sets. Pure functions, no I/O; the one place RICE arithmetic lives."""

from __future__ import annotations

import re

MOSCOW_LABELS = {
    "must_have": "Must Have",
    "should_have": "Should Have",
    "could_have": "Could Have",
    "wont_have": "Won't Have",
}
IMPACT_LABELS = {0.25: "Minimal", 0.5: "Low", 1.0: "Medium", 2.0: "High", 3.0: "Massive"}
CONFIDENCE_LABELS = {0.5: "Low", 0.8: "Medium", 1.0: "High"}
REACH_RANGE = (1, 10)
EFFORT_RANGE = (0.5, 10.0)
RICE_KEYS = ("reach", "impact", "confidence", "effort")


def rice_total(reach: float, impact: float, confidence: float, effort: float) -> float:
    """R·I·C/E rounded to 2 decimals (effort is at least 0.5 wherever a score is stored)."""
    return round(reach * impact * confidence / effort, 2)


def impact_error(impact: float) -> str | None:
    if impact in IMPACT_LABELS:
        return None
    return f"Impact must be one of {', '.join(map(str, IMPACT_LABELS))}"


def confidence_error(confidence: float) -> str | None:
    if confidence in CONFIDENCE_LABELS:
        return None
    return f"Confidence must be one of {', '.join(map(str, CONFIDENCE_LABELS))}"


def moscow_key(score: str) -> str | None:
    """`Must Have`, `must-have` or `MUST_HAVE` as the stored `must_have`; None when it is none of the four."""
    key = re.sub(r"[\s\-]+", "_", score.strip().lower()).replace("'", "")
    return key if key in MOSCOW_LABELS else None


def _nearest(value: float, allowed: tuple[float, ...]) -> float:
    return min(allowed, key=lambda candidate: (abs(candidate - value), candidate))


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def normal_rice(reach: float, impact: float, confidence: float, effort: float) -> dict[str, float]:
    """A model's RICE values on the allowed sets: reach (a whole number) and effort clamped to their
    ranges, impact and confidence moved to the nearest allowed value."""
    return {
        "reach": round(_clamp(reach, *REACH_RANGE)),
        "impact": _nearest(impact, tuple(IMPACT_LABELS)),
        "confidence": _nearest(confidence, tuple(CONFIDENCE_LABELS)),
        "effort": round(_clamp(effort, *EFFORT_RANGE), 2),
    }


def impact_label(impact: float | None) -> str | None:
    return IMPACT_LABELS.get(impact) if impact is not None else None


def confidence_label(confidence: float | None) -> str | None:
    return CONFIDENCE_LABELS.get(confidence) if confidence is not None else None


def moscow_label(score: str | None) -> str | None:
    return MOSCOW_LABELS.get(score) if score else None
