"""Admin endpoints' key check and rollback through the Flask test client (no broker needed for either)."""

import pytest

from api import create_app
from weave_ml.registry import Registry
from weave_ml.settings import Settings

KEY = "correct horse battery staple"


@pytest.fixture
def registry_dir(tmp_path, small_pipeline):
    registry = Registry(tmp_path / "models")
    for version in ("20250101-000000-000000aaaa", "20250108-000000-000000bbbb"):
        registry.publish(small_pipeline, {"version": version})
    registry.publish(small_pipeline, {"version": "20250115-000000-000000cccc"}, make_current=False)
    return registry.root


def client_for(model_dir, api_key):
    # Redis is unreachable on purpose: the key check and the registry need none.
    settings = Settings(redis_url="redis://127.0.0.1:9/0", model_dir=model_dir, api_key=api_key)
    return create_app(settings).test_client()


@pytest.mark.parametrize("path", ["/admin/retrain", "/admin/rollback"])
def test_missing_or_wrong_key_is_401(tmp_path, path):
    client = client_for(tmp_path, KEY)
    for headers in ({}, {"X-API-Key": "wrong"}, {"X-API-Key": KEY[:-1]}, {"X-API-Key": ""}):
        answer = client.post(path, headers=headers)
        assert answer.status_code == 401
        assert answer.json["error"]["code"] == "unauthorized"
    assert client.get("/admin/retrain/some-task", headers={"X-API-Key": "wrong"}).status_code == 401


def test_without_a_configured_key_admin_is_disabled(tmp_path):
    answer = client_for(tmp_path, None).post("/admin/retrain", headers={"X-API-Key": "anything"})
    assert answer.status_code == 403
    assert "admin endpoints are disabled" in answer.json["error"]["message"]


def test_rollback_to_the_previous_version_and_promotion_of_a_candidate(registry_dir):
    client = client_for(registry_dir, KEY)
    headers = {"X-API-Key": KEY}

    answer = client.post("/admin/rollback", headers=headers)
    assert answer.status_code == 200, answer.json
    assert answer.json == {
        "current_version": "20250101-000000-000000aaaa",
        "previous_version": "20250108-000000-000000bbbb",
    }

    promoted = client.post("/admin/rollback", json={"version": "20250115-000000-000000cccc"}, headers=headers)
    assert promoted.status_code == 200
    assert promoted.json["current_version"] == "20250115-000000-000000cccc"
    assert Registry(registry_dir).metadata("20250115-000000-000000cccc")["status"] == "published"


def test_rollback_errors_are_clear(registry_dir, tmp_path):
    headers = {"X-API-Key": KEY}
    client = client_for(registry_dir, KEY)
    unknown = client.post("/admin/rollback", json={"version": "../../etc"}, headers=headers)
    assert unknown.status_code == 404 and unknown.json["error"]["field"] == "version"
    assert client.post("/admin/rollback", json={"version": 3}, headers=headers).status_code == 400
    assert client.post("/admin/rollback", json=["v"], headers=headers).status_code == 400
    assert client.post("/admin/rollback", data="{", headers=headers).status_code == 400

    empty = client_for(tmp_path / "empty", KEY).post("/admin/rollback", headers=headers)
    assert empty.status_code == 409
    assert "no earlier published version" in empty.json["error"]["message"]


def test_retrain_without_a_broker_is_503_not_a_hang(tmp_path):
    answer = client_for(tmp_path, KEY).post("/admin/retrain", headers={"X-API-Key": KEY})
    assert answer.status_code == 503
