from datetime import date

from jarlpm.delivery_context.rules import prompt_block, unknown_enum_value


def test_the_prompt_block_renders_every_field() -> None:
    block = prompt_block(
        {
            "industry": "Healthcare, Pharmacy",
            "delivery_methodology": "agile",
            "sprint_cycle_length": 14,
            "sprint_start_date": date(2026, 1, 14),
            "num_developers": 5,
            "num_qa": 3,
            "delivery_platform": "azure_devops",
        }
    )
    assert block == (
        "PRODUCT DELIVERY CONTEXT (Read-Only):\n"
        "- Industry: Healthcare, Pharmacy\n"
        "- Delivery Methodology: Agile\n"
        "- Sprint Cycle Length: 14 days\n"
        "- Sprint Start Date: 2026-01-14\n"
        "- Team Size: 5 developers, 3 QA\n"
        "- Delivery Platform: Azure DevOps"
    )


def test_missing_values_read_not_specified() -> None:
    block = prompt_block(None)
    assert block.count("Not specified") == 6
    partial = prompt_block({"num_qa": 2, "industry": ""})
    assert "- Team Size: 2 QA" in partial
    assert "- Industry: Not specified" in partial


def test_enum_values_are_checked_case_insensitively() -> None:
    assert unknown_enum_value("delivery_methodology", "KANBAN") is None
    assert unknown_enum_value("delivery_methodology", None) is None
    assert "Allowed values: jira, azure_devops, none, other" in unknown_enum_value("delivery_platform", "x")
