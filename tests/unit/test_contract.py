"""The HTTP contract's models and how a failed validation becomes the documented answer (pure logic)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api import create_app
from api.contract import MAX_BATCH, MAX_MESSAGE_CHARS, BatchRequest, PredictRequest
from api.openapi import field_path, refusal, spec
from weave_ml.settings import Settings


def refused(model, body) -> tuple[int, str, str | None]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    error = refusal(caught.value)
    return error.status, error.code, error.field


def test_field_paths_read_as_the_contract_names_them():
    assert field_path(("messages", 3, "sender")) == "messages[3].sender"
    assert field_path(("messages",)) == "messages"
    assert field_path(()) is None


def test_a_size_limit_is_a_413_and_every_other_failure_a_400():
    assert refused(PredictRequest, {"message": "a" * (MAX_MESSAGE_CHARS + 1)}) == (413, "too_large", "message")
    assert refused(BatchRequest, {"messages": [{"message": "x"}] * (MAX_BATCH + 1)}) == (413, "too_large", "messages")
    # Senders and ids have limits too, but a long one is a wrong value, not a body too large to take.
    assert refused(PredictRequest, {"message": "x", "sender": "1" * 65}) == (400, "invalid_field", "sender")
    long_id = {"messages": [{"message": "x", "id": "i" * 129}]}
    assert refused(BatchRequest, long_id) == (400, "invalid_field", "messages[0].id")


def test_items_that_are_not_objects_and_repeated_ids_name_their_position():
    assert refused(BatchRequest, {"messages": [{"message": "x"}, None]}) == (400, "invalid_body", "messages[1]")
    repeated = {"messages": [{"message": "x", "id": "a"}, {"message": "y"}, {"message": "z", "id": "a"}]}
    assert refused(BatchRequest, repeated) == (400, "duplicate_id", "messages[2].id")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": " \u3000\n"}, "message"),
        ({"message": "a\x00b"}, "message"),
        ({"message": "hi", "sender": "010\r\n1234"}, "sender"),
        ({"message": "hi", "sensitivity_level": "extreme"}, "sensitivity_level"),
        ({"message": 5}, "message"),
        ({}, "message"),
    ],
)
def test_wrong_values_are_400_invalid_field_naming_the_field(body, field):
    assert refused(PredictRequest, body) == (400, "invalid_field", field)


def test_null_sensitivity_means_the_default_and_unknown_keys_are_ignored():
    request = PredictRequest.model_validate({"message": "hi", "sensitivity_level": None, "later_field": 1})
    assert request.sensitivity == "medium"


def test_the_document_is_derived_from_the_same_models():
    with create_app(Settings()).app_context():
        document = spec.spec
    schemas = document["components"]["schemas"]
    body = document["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/PredictRequest"}
    assert schemas["PredictRequest"]["properties"]["message"]["maxLength"] == MAX_MESSAGE_CHARS
    assert schemas["BatchRequest"]["properties"]["messages"]["maxItems"] == MAX_BATCH
    assert document["paths"]["/admin/retrain"]["post"]["security"] == [{"apiKey": []}]
    answers = document["paths"]["/predict"]["post"]["responses"]
    assert {"200", "400", "413", "503", "504"} <= set(answers)
