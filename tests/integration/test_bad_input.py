"""Nasty inputs against a live gateway, one table: each gets its documented status and a clear JSON error."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration


def as_json(value) -> bytes:
    return json.dumps(value).encode()


OK = None  # a valid message: 200 with a prediction
LURE = "[Web발신] 택배 주소지 불일치, 주소 확인 http://han.gl/aB12cd"

# Each case: the path, the raw body, and the answer (status, error code, error field); code OK means a prediction.
CASES = [
    pytest.param("/predict", as_json({"message": ""}), (400, "invalid_field", "message"), id="empty message"),
    pytest.param(
        "/predict",
        as_json({"message": " \t\n\u3000 "}),
        (400, "invalid_field", "message"),
        id="whitespace-only message",
    ),
    pytest.param("/predict", as_json({"message": "가" * 1_000_000}), (413, "too_large", "message"), id="1 MB message"),
    pytest.param(
        "/predict", as_json({"message": "a" * 10_001}), (413, "too_large", "message"), id="message just over the limit"
    ),
    pytest.param(
        "/predict", b'{"message": "' + b"a" * (17 * 2**20) + b'"}', (413, "too_large", None), id="body over 16 MB"
    ),
    pytest.param("/predict", b'{"message": "\xff\xfe caf\xe9"}', (400, "bad_json", None), id="invalid UTF-8"),
    pytest.param("/predict", b"message=hello", (400, "bad_json", None), id="not JSON"),
    pytest.param("/predict", b"", (400, "bad_json", None), id="empty body"),
    pytest.param("/predict", as_json([{"message": "hi"}]), (400, "invalid_body", None), id="JSON array body"),
    pytest.param("/predict", b"42", (400, "invalid_body", None), id="JSON number body"),
    pytest.param("/predict", b"null", (400, "invalid_body", None), id="JSON null body"),
    pytest.param("/predict", as_json("hello"), (400, "invalid_body", None), id="JSON string body"),
    pytest.param(
        "/predict",
        as_json({"message": {"text": "hi"}}),
        (400, "invalid_field", "message"),
        id="nested object as message",
    ),
    pytest.param("/predict", as_json({"message": ["hi"]}), (400, "invalid_field", "message"), id="array as message"),
    pytest.param("/predict", as_json({"message": 42}), (400, "invalid_field", "message"), id="number as message"),
    pytest.param("/predict", as_json({"message": None}), (400, "invalid_field", "message"), id="null message"),
    pytest.param(
        "/predict", as_json({"sender": "010-1234-5678"}), (400, "invalid_field", "message"), id="missing message"
    ),
    pytest.param(
        "/predict", as_json({"message": "hi", "sender": 123}), (400, "invalid_field", "sender"), id="number as sender"
    ),
    pytest.param(
        "/predict", as_json({"message": "hi", "sender": {}}), (400, "invalid_field", "sender"), id="object as sender"
    ),
    pytest.param(
        "/predict",
        as_json({"message": "hi", "sender": "010\nERROR x"}),
        (400, "invalid_field", "sender"),
        id="newline in sender",
    ),
    pytest.param(
        "/predict",
        as_json({"message": "hi", "sensitivity_level": "extreme"}),
        (400, "invalid_field", "sensitivity_level"),
        id="unknown sensitivity",
    ),
    pytest.param(
        "/predict",
        as_json({"message": "hi", "sensitivity_level": ["low"]}),
        (400, "invalid_field", "sensitivity_level"),
        id="array as sensitivity",
    ),
    pytest.param(
        "/predict", as_json({"message": "hi\u0000there"}), (400, "invalid_field", "message"), id="NUL byte in message"
    ),
    pytest.param(
        "/predict", b'{"message": "hi \\ud800 there"}', (400, "invalid_field", "message"), id="unpaired surrogate"
    ),
    pytest.param("/predict", b"[" * 100_000 + b"]" * 100_000, (400, "bad_json", None), id="deeply nested JSON"),
    pytest.param(
        "/predict", b'{"message": ' + b"9" * 5000 + b"}", (400, "bad_json", None), id="integer of 5,000 digits"
    ),
    pytest.param(
        "/predict", as_json({"message": "🎁 당첨되셨습니다 🎉 http://bit.ly/x 👉"}), (200, OK, None), id="emoji"
    ),
    pytest.param(
        "/predict",
        as_json({"message": "택\u200b배 주\u200d소 확\ufeff인"}),
        (200, OK, None),
        id="zero-width characters",
    ),
    pytest.param(
        "/predict",
        as_json({"message": "\u202eلتحقق من الطرد\u202c http://han.gl/x"}),
        (200, OK, None),
        id="right-to-left text",
    ),
    pytest.param(
        "/predict",
        as_json({"message": LURE, "sender": None, "sensitivity_level": None}),
        (200, OK, None),
        id="sender with null",
    ),
    pytest.param(
        "/predict/batch", as_json({"messages": "hi"}), (400, "invalid_field", "messages"), id="batch: not a list"
    ),
    pytest.param("/predict/batch", as_json({"messages": []}), (400, "invalid_field", "messages"), id="batch: empty"),
    pytest.param("/predict/batch", as_json([{"message": "hi"}]), (400, "invalid_body", None), id="batch: array body"),
    pytest.param(
        "/predict/batch",
        as_json({"messages": [{"message": "ok"}, None]}),
        (400, "invalid_body", "messages[1]"),
        id="batch: null item",
    ),
    pytest.param(
        "/predict/batch", as_json({"messages": ["hi"]}), (400, "invalid_body", "messages[0]"), id="batch: string item"
    ),
    pytest.param(
        "/predict/batch",
        as_json({"messages": [{"message": "ok"}, {"message": None}]}),
        (400, "invalid_field", "messages[1].message"),
        id="batch: bad message",
    ),
    pytest.param(
        "/predict/batch",
        as_json({"messages": [{"message": "ok", "id": 7}]}),
        (400, "invalid_field", "messages[0].id"),
        id="batch: number as id",
    ),
    pytest.param(
        "/predict/batch",
        as_json({"messages": [{"id": "a", "message": "x"}, {"id": "a", "message": "y"}]}),
        (400, "duplicate_id", "messages[1].id"),
        id="batch: duplicated ids",
    ),
    pytest.param(
        "/predict/batch",
        as_json({"messages": [{"message": "x"}] * 10_001}),
        (413, "too_large", "messages"),
        id="batch: 10,001 messages",
    ),
    pytest.param(
        "/predict/batch",
        as_json({"messages": [{"message": "x", "sensitivity_level": "max"}]}),
        (400, "invalid_field", "messages[0].sensitivity_level"),
        id="batch: unknown sensitivity",
    ),
    pytest.param(
        "/predict/batch",
        as_json({"messages": [{"message": "🎁"}, {"message": "\u202eمرحبا"}]}),
        (202, OK, None),
        id="batch: emoji and RTL",
    ),
]


@pytest.mark.parametrize(("path", "body", "expected"), CASES)
def test_nasty_input_gets_its_documented_answer(gateway, path, body, expected):
    status, code, field = expected
    response = gateway.session.post(
        f"{gateway.url}{path}", data=body, headers={"Content-Type": "application/json"}, timeout=60
    )
    assert response.status_code == status, response.text[:300]
    answer = response.json()
    if code is OK:
        if status == 200:
            assert 0 <= answer["phishing_probability"] <= 1 and answer["message_hash"].startswith("sha256:")
        return
    assert set(answer) == {"error"}
    error = answer["error"]
    assert error["code"] == code and len(error["message"]) > 10
    assert error.get("field") == field


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None]
)
@pytest.mark.parametrize("path", ["/predict", "/predict/batch"])
def test_a_body_not_sent_as_json_is_refused_with_415(gateway, path, content_type):
    body = as_json({"message": "택배 주소 확인"} if path == "/predict" else {"messages": [{"message": "택배"}]})
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = gateway.session.post(f"{gateway.url}{path}", data=body, headers=headers, timeout=30)
    assert response.status_code == 415, response.text[:300]
    assert response.json()["error"]["code"] == "unsupported_media_type"
    charset = gateway.session.post(
        f"{gateway.url}{path}", data=body, headers={"Content-Type": "application/json; charset=utf-8"}, timeout=30
    )
    assert charset.status_code in (200, 202), charset.text[:300]
