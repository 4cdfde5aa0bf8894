"""RICE arithmetic, the allowed sets, and how a model's loose values are brought onto them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from jarlpm.scoring import rules
from jarlpm.scoring.models import MoscowSuggestion, RiceSuggestion


@pytest.mark.parametrize(
    "reach,impact,confidence,effort,total",
    [
        (10, 3.0, 1.0, 0.5, 60.0),
        (1, 0.25, 0.5, 10.0, 0.01),
        (7, 2.0, 0.8, 3.0, 3.73),
        (5, 1.0, 0.8, 2.5, 1.6),
        (3, 0.5, 1.0, 7.0, 0.21),
    ],
)
def test_rice_total_is_r_i_c_over_e_rounded_to_two_decimals(reach, impact, confidence, effort, total) -> None:
    assert rules.rice_total(reach, impact, confidence, effort) == total


@pytest.mark.parametrize("impact", [0.25, 0.5, 1, 1.0, 2, 3])
def test_allowed_impacts(impact) -> None:
    assert rules.impact_error(impact) is None


@pytest.mark.parametrize("impact", [0, 0.3, 1.5, 4, -1])
def test_other_impacts_are_refused(impact) -> None:
    assert "0.25, 0.5, 1.0, 2.0, 3.0" in (rules.impact_error(impact) or "")


@pytest.mark.parametrize("confidence,allowed", [(0.5, True), (0.8, True), (1.0, True), (0.7, False), (0.9, False)])
def test_allowed_confidences(confidence, allowed) -> None:
    assert (rules.confidence_error(confidence) is None) is allowed


@pytest.mark.parametrize(
    "given,expected",
    [("must_have", "must_have"), ("Must Have", "must_have"), ("won't-have", "wont_have"), ("maybe", None)],
)
def test_moscow_spellings(given, expected) -> None:
    assert rules.moscow_key(given) == expected


@pytest.mark.parametrize(
    "given,expected",
    [
        ((0, 1.5, 0.9, 0.1), {"reach": 1, "impact": 1.0, "confidence": 0.8, "effort": 0.5}),
        ((12.6, 10, 2, 40), {"reach": 10, "impact": 3.0, "confidence": 1.0, "effort": 10.0}),
        ((4.4, 0.3, 0.6, 2.345), {"reach": 4, "impact": 0.25, "confidence": 0.5, "effort": 2.35}),
    ],
)
def test_normal_rice_moves_values_onto_the_allowed_sets(given, expected) -> None:
    assert rules.normal_rice(*given) == expected


def test_a_suggestion_is_normalised_and_stored_with_its_total() -> None:
    suggestion = RiceSuggestion.model_validate({"reach": "8", "impact": 2.2, "confidence": 0.79, "effort": 4})
    assert suggestion.stored() == {
        "reach": 8,
        "impact": 2.0,
        "confidence": 0.8,
        "effort": 4.0,
        "total": 3.2,
        "reasoning": "",
    }
    assert MoscowSuggestion.model_validate({"score": "Should Have"}).score == "should_have"
    with pytest.raises(ValidationError):
        RiceSuggestion.model_validate({"reach": "many", "impact": 1, "confidence": 1, "effort": 1})
