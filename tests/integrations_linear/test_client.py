"""How Linear's GraphQL errors become the push engine's fixed codes (pure, no server)."""

from __future__ import annotations

import pytest

from jarlpm.integrations.linear.client import error_of, not_found_is
from jarlpm.outbound import OutboundError

AUTH = {"message": "Authentication required", "extensions": {"type": "authentication error"}}
LONG = {"message": "x" * 500, "extensions": {"type": "invalid input", "userPresentableMessage": "Title is\n too long"}}


@pytest.mark.parametrize(
    ("errors", "code", "status", "reason"),
    [
        ([AUTH], "TRACKER_UNAUTHORIZED", 401, None),
        ([{"message": "Forbidden", "extensions": {"code": "FORBIDDEN"}}], "TRACKER_FORBIDDEN", 403, None),
        ([{"message": "slow down", "extensions": {"code": "RATELIMITED"}}], "TRACKER_RATE_LIMITED", 429, None),
        ([{"message": "Entity not found: Issue"}], "TRACKER_NOT_FOUND", 404, "Entity not found: Issue"),
        ([LONG, {"message": "y" * 400}], "TRACKER_REJECTED", 400, ("Title is too long; " + "y" * 400)[:300]),
    ],
)
def test_graphql_errors_become_fixed_codes(errors, code, status, reason) -> None:  # type: ignore[no-untyped-def]
    error = error_of(errors)
    assert (error.code, error.status, error.reason) == (code, status, reason)
    assert error.revoked is (code == "TRACKER_UNAUTHORIZED")


def test_only_a_missing_issue_itself_lets_the_engine_create_it_again() -> None:
    missing_issue = OutboundError("TRACKER_NOT_FOUND", "gone", 404, "Entity not found: Issue")
    missing_project = OutboundError("TRACKER_NOT_FOUND", "gone", 404, "Entity not found: Project")
    assert not_found_is(missing_issue, "issue") is missing_issue
    assert not_found_is(missing_project, "issue").code == "TRACKER_REJECTED"
