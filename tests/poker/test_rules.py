"""The arithmetic of a poker round's summary and the personas' data."""

from __future__ import annotations

import pytest

from jarlpm.poker import rules


def test_five_personas_in_the_contract_order() -> None:
    assert [(p.id, p.name) for p in rules.PERSONAS] == [
        ("sr_developer", "Sarah"),
        ("jr_developer", "Alex"),
        ("qa_engineer", "Maya"),
        ("devops_engineer", "Jordan"),
        ("ux_designer", "Riley"),
    ]
    assert all(set(p.card()) == {"id", "name", "role", "avatar"} for p in rules.PERSONAS)


@pytest.mark.parametrize(
    ("points", "average", "suggested", "low", "high", "consensus"),
    [
        ([5, 5, 5, 5, 5], 5.0, 5, 5, 5, "high"),
        ([3, 5, 5, 3, 5], 4.2, 5, 3, 5, "medium"),
        ([1, 2, 3, 5, 8], 3.8, 8, 1, 8, "low"),  # all tied: the larger value
        ([3, 3, 8], 4.7, 3, 3, 8, "low"),
        ([13], 13.0, 13, 13, 13, "high"),
        ([2, 2, 1, 1], 1.5, 2, 1, 2, "medium"),
    ],
)
def test_summary(points, average, suggested, low, high, consensus) -> None:  # type: ignore[no-untyped-def]
    assert rules.summarise(points) == rules.Summary(average, suggested, low, high, consensus)


def test_a_summary_needs_an_estimate() -> None:
    with pytest.raises(ValueError):
        rules.summarise([])


def test_stored_estimates_come_back_in_persona_order() -> None:
    rows = [{"persona_name": name} for name in ("Riley", "Sarah", "Maya")]
    assert [row["persona_name"] for row in rules.in_persona_order(rows)] == ["Sarah", "Maya", "Riley"]
