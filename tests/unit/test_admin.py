"""Admin endpoints' key check and refusals through the Flask test client (no broker), and the registry changes the
trainer applies for them."""

import pytest

from api import create_app
from weave_ml.registry import changes as registry_admin
from weave_ml.registry.store import Registry
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


def test_rollback_is_refused_before_anything_is_queued_when_the_body_or_version_is_wrong(registry_dir):
    headers = {"X-API-Key": KEY}
    client = client_for(registry_dir, KEY)
    unknown = client.post("/admin/rollback", json={"version": "../../etc"}, headers=headers)
    assert unknown.status_code == 404 and unknown.json["error"]["field"] == "version"
    assert client.post("/admin/rollback", json={"version": 3}, headers=headers).status_code == 400
    assert client.post("/admin/rollback", json=["v"], headers=headers).status_code == 400
    assert client.post("/admin/rollback", data="{", headers=headers, content_type="application/json").status_code == 400


def test_rollback_without_a_broker_is_503_not_a_hang(registry_dir, refused_connections):
    answer = client_for(registry_dir, KEY).post("/admin/rollback", headers={"X-API-Key": KEY})
    assert answer.status_code == 503 and answer.json["error"]["code"] == "broker_unavailable"
    assert refused_connections  # the broker was tried


def test_the_trainer_rolls_back_to_the_previous_version_and_promotes_a_candidate(registry_dir):
    registry = Registry(registry_dir)
    assert registry_admin.carry_out(registry, registry_admin.ROLLBACK, {}) == {
        "current_version": "20250101-000000-000000aaaa",
        "previous_version": "20250108-000000-000000bbbb",
    }
    promoted = registry_admin.carry_out(registry, registry_admin.ROLLBACK, {"version": "20250115-000000-000000cccc"})
    assert promoted["current_version"] == registry.current_version() == "20250115-000000-000000cccc"
    assert registry.metadata("20250115-000000-000000cccc")["status"] == "published"


def test_changes_the_trainer_cannot_make_are_refused_with_a_code(registry_dir, tmp_path):
    registry = Registry(registry_dir)
    before = registry.current_version()
    unknown = registry_admin.carry_out(registry, registry_admin.ROLLBACK, {"version": "20990101-000000-000000ffff"})
    assert unknown["error"]["code"] == registry_admin.UNKNOWN_VERSION
    assert registry_admin.carry_out(registry, "rename", {})["error"]["code"] == registry_admin.UNKNOWN_ACTION
    empty = registry_admin.carry_out(Registry(tmp_path / "empty"), registry_admin.ROLLBACK, {})
    assert empty["error"]["code"] == registry_admin.NOTHING_TO_ROLL_BACK
    assert "no earlier published version" in empty["error"]["message"]
    assert registry.current_version() == before


def test_retrain_without_a_broker_is_503_not_a_hang(tmp_path, refused_connections):
    answer = client_for(tmp_path, KEY).post("/admin/retrain", headers={"X-API-Key": KEY})
    assert answer.status_code == 503
    assert refused_connections  # the broker was tried
