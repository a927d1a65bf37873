"""The gateway's OpenAPI document, and schemathesis driving a live gateway from it: no 5xx, no answer off-schema."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api import create_app
from api.openapi import spec
from weave_ml.settings import Settings

pytestmark = pytest.mark.integration


def _document() -> dict:
    # Built from the contract's models and the app's routes; making the app opens no connection.
    with create_app(Settings()).app_context():
        return json.loads(json.dumps(spec.spec))


DOCUMENT = _document()

# Schema-violating data may also be refused as too large: 413 is the contract's answer to an overlong message.
REFUSALS = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]
CONFIG = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}})
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
OPERATIONS = [(path, method) for path, methods in DOCUMENT["paths"].items() for method in methods]
# Routes that take a domain or a number, one of them (a 400 otherwise).
DOMAIN_OR_NUMBER = {
    ("/admin/reputation", "get"),
    ("/admin/reputation/report", "post"),
    ("/admin/reputation/verified-senders", "post"),
}
# Only a body can break its schema: any string is a valid path parameter.
CASES = [
    *((path, method, GenerationMode.POSITIVE) for path, method in OPERATIONS),
    *(
        (path, method, GenerationMode.NEGATIVE)
        for path, method in OPERATIONS
        if "requestBody" in DOCUMENT["paths"][path][method]
    ),
]


def test_the_gateway_serves_the_document_for_every_route(gateway):
    assert gateway.get("/openapi.json").json() == DOCUMENT
    with gateway.session.get(f"{gateway.url}/openapi.json") as response:
        assert response.headers["Content-Type"] == "application/json"
    app_rules = {
        "/predict",
        "/predict/result/{task_id}",
        "/predict/batch",
        "/predict/batch/{batch_id}",
        "/livez",
        "/health",
        "/metrics",
        "/models",
        "/models/current",
        "/admin/retrain",
        "/admin/retrain/{task_id}",
        "/admin/rollback",
        "/admin/registry/{task_id}",
        "/admin/rollout",
        "/admin/rollout/promote",
        "/admin/rollout/abort",
        "/admin/rollout/changes/{task_id}",
        "/admin/campaigns",
        "/admin/campaigns/report",
        "/admin/campaigns/verdicts",
        "/admin/campaigns/examples",
        "/admin/campaigns/examples/{campaign_id}",
        "/admin/reputation",
        "/admin/reputation/report",
        "/admin/reputation/verdicts",
        "/admin/reputation/verified-senders",
        "/admin/reputation/verified-senders/{entry}",
        "/openapi.json",
    }
    assert set(DOCUMENT["paths"]) == app_rules


@pytest.mark.parametrize(("path", "method", "mode"), CASES, ids=[f"{m.upper()} {p} {mode}" for p, m, mode in CASES])
def test_schemathesis_finds_no_server_error_and_no_answer_off_schema(gateway, running_stack, path, method, mode):
    # With the key, admin routes get past the key check (no retrain or registry change is made: no training worker
    # here, so a rollback waits for one in vain and answers 202).
    headers = {"X-API-Key": running_stack.env["WEAVE_API_KEY"]} if path.startswith("/admin/") else {}
    # JSON Schema cannot say "ids unique by value across items": a generated batch may repeat one (a 400); nor "a
    # domain or a number, one of them", nor that a domain must end in a public suffix.
    excluded = [positive_data_acceptance] if path == "/predict/batch" or (path, method) in DOMAIN_OR_NUMBER else []

    @given(case=SCHEMA[path][method.upper()].as_strategy(generation_mode=mode))
    @settings(
        max_examples=15,
        derandomize=True,  # the same examples every run
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    def run(case):
        case.call_and_validate(
            base_url=gateway.url, session=gateway.session, headers=headers, excluded_checks=excluded, timeout=30
        )

    run()
