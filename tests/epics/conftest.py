from __future__ import annotations

from tests.helpers import User
from tests.serving import parse_frames

PROBLEM = """Let me capture that.
[PROPOSAL: PROBLEM_STATEMENT]
Problem Statement: Ward nurses spend 30 minutes per shift re-entering medication data.
Why This Matters: Errors and overtime.
Assumptions: The pharmacy system exposes an API.
[/PROPOSAL]"""

OUTCOME = """[PROPOSAL: DESIRED_OUTCOME]
Desired Outcome: Medication data is entered once and flows to every system.
Success Indicators: Re-entry time under 5 minutes per shift.
Who Benefits: Nurses and pharmacists.
Assumptions: Integration is allowed.
[/PROPOSAL]"""

FINAL = """Here is the final epic.
[PROPOSAL: EPIC_FINAL]
Epic Summary: Single-entry medication records for ward nurses.
Acceptance Criteria:
- [ ] A dose entered on the ward appears in the pharmacy system within 1 minute
- [ ] Nurses never type the same dose twice
- [x] An audit log records every change
In Scope:
- Ward medication entry
Out of Scope:
- Billing
Dependencies:
- Pharmacy API access
Assumptions:
- Nurses have tablets
[/PROPOSAL]"""


async def create_epic(user: User, title: str = "Medication entry") -> dict:
    response = await user.post("/api/epics", json={"title": title})
    assert response.status_code == 201, await response.get_data(as_text=True)
    return await response.get_json()


async def chat(user: User, epic_id: str, content: str) -> list[dict]:
    response = await user.post(f"/api/epics/{epic_id}/chat", json={"content": content})
    assert response.status_code == 200, await response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/event-stream")
    return parse_frames(await response.get_data(as_text=True))


async def confirm(user: User, epic_id: str, proposal_id: str, confirmed: bool = True) -> dict:
    response = await user.post(
        f"/api/epics/{epic_id}/confirm-proposal", json={"proposal_id": proposal_id, "confirmed": confirmed}
    )
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


async def locked_epic(user: User, fake_llm, title: str = "Medication entry") -> str:  # type: ignore[no-untyped-def]
    """An epic taken through the whole conversation to epic_locked; returns its id."""
    epic_id = (await create_epic(user, title))["epic_id"]
    for reply in (PROBLEM, OUTCOME, FINAL):
        fake_llm.script(reply)
        [proposal] = [event for event in await chat(user, epic_id, "next") if event["type"] == "proposal"]
        await confirm(user, epic_id, proposal["proposal_id"])
    return epic_id
