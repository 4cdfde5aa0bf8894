"""The admin guard: the token (constant-time), or a verified allowlisted email; 403 for everything else,
and for everyone when neither is configured. Every /api/admin rule is behind it."""

from __future__ import annotations

import logging

import pytest

from jarlpm.app import create_app
from tests.admin.helpers import ADMIN_EMAIL, ADMIN_TOKEN, TOKEN, verify
from tests.helpers import bearer, sign_up

STATS = "/api/admin/audit-logs/stats"


async def _refused(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 403
    assert (await response.get_json())["code"] == "ADMIN_REQUIRED"


async def test_the_token_opens_and_a_wrong_or_missing_one_does_not(admin_app, caplog) -> None:  # type: ignore[no-untyped-def]
    client = admin_app.test_client()
    with caplog.at_level(logging.INFO, logger="jarlpm.admin"):
        assert (await client.get(STATS, headers=TOKEN)).status_code == 200
    assert any("admin call by admin-token: GET /api/admin/audit-logs/stats" in r.getMessage() for r in caplog.records)
    await _refused(await client.get(STATS, headers={"X-Admin-Token": ADMIN_TOKEN[:-1] + "x"}))
    await _refused(await client.get(STATS, headers={"X-Admin-Token": ""}))
    await _refused(await client.get(STATS))


async def test_only_a_verified_allowlisted_email_opens(admin_app, database_url, caplog) -> None:  # type: ignore[no-untyped-def]
    admin = await sign_up(admin_app, ADMIN_EMAIL.upper())  # the allowlist is compared case-insensitively
    stranger = await sign_up(admin_app, "pm@jarlpm.dev")
    client = admin_app.test_client()
    await _refused(await client.get(STATS, headers=bearer(admin)))  # not verified yet: anyone could sign up
    await verify(database_url, ADMIN_EMAIL.upper())
    await verify(database_url, "pm@jarlpm.dev")
    with caplog.at_level(logging.INFO, logger="jarlpm.admin"):
        assert (await client.get(STATS, headers=bearer(admin))).status_code == 200
        client.set_cookie("localhost", "session_token", admin)
        assert (await client.get(STATS)).status_code == 200
    assert any(ADMIN_EMAIL in record.getMessage().lower() for record in caplog.records)
    await _refused(await admin_app.test_client().get(STATS, headers=bearer(stranger)))
    await _refused(await admin_app.test_client().get(STATS, headers=bearer("not-a-session")))


async def test_nothing_configured_means_closed_for_everyone(make_settings, database_url) -> None:  # type: ignore[no-untyped-def]
    async with create_app(make_settings(database_url)).test_app() as app:
        token = await sign_up(app, ADMIN_EMAIL)
        await verify(database_url, ADMIN_EMAIL)
        client = app.test_client()
        await _refused(await client.get(STATS, headers=TOKEN))
        await _refused(await client.get(STATS, headers={"X-Admin-Token": ""}))
        await _refused(await client.get(STATS, headers=bearer(token)))
        await _refused(await client.get(STATS))


def _admin_rules(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/admin")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


async def test_every_admin_route_refuses_a_signed_in_user_and_no_credentials(admin_app, database_url) -> None:  # type: ignore[no-untyped-def]
    rules = _admin_rules(admin_app.app)
    assert len(rules) >= 9
    user = await sign_up(admin_app, "pm@jarlpm.dev")
    await verify(database_url, "pm@jarlpm.dev")
    for method, path in rules:
        for headers in (bearer(user), {}):
            response = await admin_app.test_client().open(path, method=method, headers=headers)
            assert response.status_code == 403, (method, path, headers)
            assert (await response.get_json())["code"] == "ADMIN_REQUIRED"


@pytest.mark.parametrize("retention", ["0", "abc", "-3"])
async def test_a_bad_retention_is_422(admin_app, retention) -> None:  # type: ignore[no-untyped-def]
    response = await admin_app.test_client().post(
        f"/api/admin/backups/cleanup?retention_days={retention}", headers=TOKEN
    )
    assert response.status_code == 422
