"""The Prometheus page (parsed by prometheus_client's own parser) and the contract's JSON, after a few
requests and an AI conversation on the fake provider."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from jarlpm.config import Settings
from tests.admin.helpers import ADMIN_TOKEN, TOKEN


@pytest.fixture
def settings(make_settings, database_url) -> Settings:  # type: ignore[no-untyped-def]
    """The shared `app` (and so `pm`), with an operator token."""
    return make_settings(database_url, admin_token=ADMIN_TOKEN)


def _samples(text: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(sample)
    return found


def _value(samples: list, **labels: str) -> float:
    return sum(s.value for s in samples if all(s.labels.get(k) == v for k, v in labels.items()))


async def test_prometheus_page_counts_requests_pool_streams_and_llm_tokens(pm, epic_id, app) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        assert (await pm.get(f"/api/epics/{epic_id}")).status_code == 200
    assert (await pm.get("/api/epics/epic_000000000000")).status_code == 404

    response = await app.test_client().get("/api/admin/metrics/prometheus", headers=TOKEN)
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    samples = _samples(await response.get_data(as_text=True))

    requests = samples["jarlpm_http_requests_total"]
    by_rule = {"route": "/api/epics/<epic_id>", "method": "GET"}
    assert _value(requests, **by_rule, status="200") >= 3
    assert _value(requests, **by_rule, status="404") >= 1
    assert not any(epic_id in s.labels["route"] for s in requests)  # the rule, never the raw path
    assert _value(samples["jarlpm_http_request_duration_seconds_count"], **by_rule) >= 4
    assert any(s.labels.get("le") == "+Inf" for s in samples["jarlpm_http_request_duration_seconds_bucket"])
    assert samples["jarlpm_db_pool_size"][0].value >= 1
    assert "jarlpm_db_pool_in_use" in samples and "jarlpm_db_pool_waiting" in samples
    assert "jarlpm_open_streams" in samples
    # locked_epic streamed three chats on the fake, which reports 11 input and 7 output tokens a call.
    assert _value(samples["jarlpm_llm_calls_total"], provider="openai", outcome="ok") >= 3
    assert _value(samples["jarlpm_llm_tokens_total"], provider="openai", direction="input") >= 33
    assert _value(samples["jarlpm_llm_tokens_total"], provider="openai", direction="output") >= 21

    as_json = await (await app.test_client().get("/api/admin/metrics", headers=TOKEN)).get_json()
    assert as_json["timestamp"]
    series = as_json["metrics"]["jarlpm_http_requests_total"]
    assert any(item["labels"]["route"] == "/api/epics/<epic_id>" and item["value"] >= 3 for item in series)
