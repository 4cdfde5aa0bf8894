"""POST /api/auth/test-login: a one-click development user. Registered only when JARLPM_TEST_LOGIN=true
outside production; it never hands out a server-owned LLM key, and every call gets a fresh session."""

from __future__ import annotations

from datetime import date
from typing import Any

from quart import Blueprint
from quart_schema import validate_response

from jarlpm import db
from jarlpm.auth import repo
from jarlpm.auth.models import TestLoginOut
from jarlpm.auth.passwords import hash_password
from jarlpm.auth.service import start_session
from jarlpm.db.scope import CrossUser
from jarlpm.delivery_context import repo as delivery_context
from jarlpm.http import current_settings
from jarlpm.http.auth import public, send_session_cookie
from jarlpm.llm_providers import repo as llm_providers
from jarlpm.subscriptions import repo as subscriptions

blueprint = Blueprint("test_login", __name__, url_prefix="/auth")

TEST_EMAIL = "testuser@jarlpm.dev"
TEST_NAME = "Test User"
TEST_PASSWORD = "testpassword123"
SUBSCRIPTION_DAYS = 365
TEST_DELIVERY_CONTEXT: dict[str, Any] = {
    "industry": "Healthcare, Pharmacy",
    "delivery_methodology": "agile",
    "sprint_cycle_length": 14,
    "sprint_start_date": date(2026, 1, 14),
    "num_developers": 5,
    "num_qa": 3,
    "delivery_platform": "jira",
}


def _provider_label(config: dict | None) -> str:
    if config is None:
        return "not configured"
    model = config["model_name"] or current_settings().llm_default_model(config["provider"])
    return f"{config['provider']} ({model})"


@blueprint.post("/test-login")
@public
@validate_response(TestLoginOut)
async def test_login() -> TestLoginOut:
    """Create or refresh the test user (active subscription, fixed delivery context) and sign in."""
    password_hash = await hash_password(TEST_PASSWORD)
    async with db.transaction(CrossUser.ACCOUNTS) as conn:
        user = await repo.upsert_test_user(conn, email=TEST_EMAIL, name=TEST_NAME, password_hash=password_hash)
        await subscriptions.activate_for_days(conn, user_id=user["user_id"], days=SUBSCRIPTION_DAYS)
        await delivery_context.replace_context(conn, user_id=user["user_id"], **TEST_DELIVERY_CONTEXT)
        token = await start_session(conn, user_id=user["user_id"])
        active = await llm_providers.get_active(conn, user_id=user["user_id"])
    send_session_cookie(token)
    return TestLoginOut(
        message="Test login successful",
        user_id=user["user_id"],
        email=user["email"],
        name=user["name"],
        subscription_status="active",
        delivery_context="configured",
        llm_provider=_provider_label(active),
    )
