"""Request bodies parsed into plain values; anything else is a 400 or 413 naming the field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Request

from api.errors import ApiError
from weave_ml.scoring import DEFAULT_SENSITIVITY, SENSITIVITY_LEVELS

MAX_MESSAGE_CHARS = 10_000
MAX_SENDER_CHARS = 64
MAX_ID_CHARS = 128
MAX_BATCH = 10_000


@dataclass(frozen=True)
class MessageRequest:
    """One message to score and how the caller wants it judged."""

    message: str
    sender: str | None
    sensitivity: str
    id: str | None = None


def json_body(request: Request) -> Any:
    """Return the parsed JSON body, or a 400 for a body that is not UTF-8 JSON."""
    try:
        return json.loads(request.get_data(cache=False))
    except UnicodeDecodeError:
        raise ApiError(400, "bad_json", "request body is not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ApiError(400, "bad_json", f"request body is not valid JSON: {exc.msg} at position {exc.pos}") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise ApiError(400, "bad_json", f"request body is not usable JSON: {exc}") from None
    except RecursionError:
        raise ApiError(400, "bad_json", "request body is nested too deeply") from None


def _encodable(value: str, key: str, field: str) -> str:
    # JSON may escape lone surrogates ("\ud800"): valid JSON, but not text that can be hashed or answered.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, "invalid_field", f"{key} contains an unpaired surrogate escape", field) from None
    return value


def _optional_string(record: dict[str, Any], key: str, limit: int, field: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, "invalid_field", f"{key} must be a string", field)
    if len(value) > limit:
        raise ApiError(400, "invalid_field", f"{key} is longer than {limit} characters", field)
    # A newline or other control character in a value that is logged could forge log lines.
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ApiError(400, "invalid_field", f"{key} contains a control character", field)
    return _encodable(value, key, field)


def message_request(record: Any, prefix: str = "") -> MessageRequest:
    """Validate one ``{"message", "sender"?, "sensitivity_level"?, "id"?}`` object."""
    if not isinstance(record, dict):
        raise ApiError(400, "invalid_body", "expected a JSON object", prefix.rstrip(".") or None)
    message = record.get("message")
    if not isinstance(message, str):
        raise ApiError(400, "invalid_field", "message is required and must be a string", f"{prefix}message")
    if not message.strip():
        raise ApiError(400, "invalid_field", "message is empty", f"{prefix}message")
    if len(message) > MAX_MESSAGE_CHARS:
        raise ApiError(413, "too_large", f"message is longer than {MAX_MESSAGE_CHARS} characters", f"{prefix}message")
    if "\x00" in message:
        raise ApiError(400, "invalid_field", "message contains a NUL character", f"{prefix}message")
    _encodable(message, "message", f"{prefix}message")
    sensitivity = record.get("sensitivity_level", DEFAULT_SENSITIVITY)
    if sensitivity is None:
        sensitivity = DEFAULT_SENSITIVITY
    if sensitivity not in SENSITIVITY_LEVELS:
        raise ApiError(
            400,
            "invalid_field",
            f"sensitivity_level must be one of {', '.join(SENSITIVITY_LEVELS)}",
            f"{prefix}sensitivity_level",
        )
    return MessageRequest(
        message=message,
        sender=_optional_string(record, "sender", MAX_SENDER_CHARS, f"{prefix}sender"),
        sensitivity=sensitivity,
        id=_optional_string(record, "id", MAX_ID_CHARS, f"{prefix}id"),
    )


def batch_request(body: Any) -> list[MessageRequest]:
    """Validate ``{"messages": [...]}``: at most :data:`MAX_BATCH` messages, ids unique when given."""
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "expected a JSON object with a messages list")
    messages = body.get("messages")
    if not isinstance(messages, list):
        raise ApiError(400, "invalid_field", "messages must be a list", "messages")
    if not messages:
        raise ApiError(400, "invalid_field", "messages is empty", "messages")
    if len(messages) > MAX_BATCH:
        raise ApiError(413, "too_large", f"a batch holds at most {MAX_BATCH} messages, got {len(messages)}", "messages")
    parsed = [message_request(record, f"messages[{i}].") for i, record in enumerate(messages)]
    seen: set[str] = set()
    for position, item in enumerate(parsed):
        if item.id is not None:
            if item.id in seen:
                raise ApiError(
                    400, "duplicate_id", f"id {item.id!r} appears more than once", f"messages[{position}].id"
                )
            seen.add(item.id)
    return parsed
