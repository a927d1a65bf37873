"""The gateway's OpenAPI 3 document (GET /openapi.json): every endpoint, body, answer and the error shape."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from api.validation import MAX_BATCH, MAX_ID_CHARS, MAX_MESSAGE_CHARS, MAX_SENDER_CHARS
from weave_ml import __version__
from weave_ml.scoring import SENSITIVITY_LEVELS

blueprint = Blueprint("openapi", __name__)

# What validation accepts, as ECMA-262 patterns: at least one non-blank character and no NUL; no control
# characters in a sender or an id (they would forge log lines).
MESSAGE_PATTERN = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
NO_CONTROL_PATTERN = r"^[^\u0000-\u001f\u007f]*$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _nullable_string(max_length: int, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "nullable": True, "maxLength": max_length, **extra}


_SENSITIVITY = {"type": "string", "enum": list(SENSITIVITY_LEVELS), "nullable": True, "default": "medium"}
_RISK = {"type": "string", "enum": ["low", "medium", "high"]}
_MESSAGE_FIELDS = {
    "message": {"type": "string", "minLength": 1, "maxLength": MAX_MESSAGE_CHARS, "pattern": MESSAGE_PATTERN},
    "sender": _nullable_string(MAX_SENDER_CHARS, pattern=NO_CONTROL_PATTERN),
    "sensitivity_level": _SENSITIVITY,
}
_PREDICTION_FIELDS = {
    "is_phishing": {"type": "boolean"},
    "phishing_probability": {"type": "number", "minimum": 0, "maximum": 1},
    "risk_level": _RISK,
    "sensitivity_level": {"type": "string", "enum": list(SENSITIVITY_LEVELS)},
    "threshold": {"type": "number", "minimum": 0, "maximum": 1},
    "reasons": {"type": "array", "items": {"type": "string"}},
    "model_version": {"type": "string"},
    "cached": {"type": "boolean"},
    "message_hash": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
}
_ERROR_BODY = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}},
}

SCHEMAS: dict[str, Any] = {
    "PredictRequest": {"type": "object", "required": ["message"], "properties": _MESSAGE_FIELDS},
    "BatchRequest": {
        "type": "object",
        "required": ["messages"],
        "properties": {
            "messages": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_BATCH,
                "description": "ids, when given, must be unique in the batch (400 duplicate_id otherwise)",
                "items": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {**_MESSAGE_FIELDS, "id": _nullable_string(MAX_ID_CHARS, pattern=NO_CONTROL_PATTERN)},
                },
            }
        },
    },
    "Prediction": {"type": "object", "required": list(_PREDICTION_FIELDS), "properties": _PREDICTION_FIELDS},
    "BatchResult": {
        "type": "object",
        "required": ["index"],
        "description": "a prediction, or an error for a message whose scoring failed for good",
        "properties": {
            **_PREDICTION_FIELDS,
            "index": {"type": "integer", "minimum": 0},
            "id": {"type": "string"},
            "error": _ERROR_BODY,
        },
    },
    "BatchCreated": {
        "type": "object",
        "required": ["batch_id", "status_url", "total"],
        "properties": {
            "batch_id": {"type": "string"},
            "status_url": {"type": "string"},
            "total": {"type": "integer", "minimum": 1},
        },
    },
    "BatchStatus": {
        "type": "object",
        "required": ["batch_id", "status", "total", "done", "failed", "results"],
        "properties": {
            "batch_id": {"type": "string"},
            "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "total": {"type": "integer"},
            "done": {"type": "integer"},
            "failed": {"type": "integer"},
            "results": {"type": "array", "items": _ref("BatchResult")},
        },
    },
    "Pending": {
        "type": "object",
        "required": ["task_id", "status"],
        "properties": {"task_id": {"type": "string"}, "status": {"type": "string", "enum": ["pending"]}},
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "description": "every failure; a 504 adds task_id and status_url to fetch the answer later",
        "properties": {
            "error": _ERROR_BODY,
            "task_id": {"type": "string"},
            "status_url": {"type": "string"},
        },
    },
    "Health": {
        "type": "object",
        "required": [
            "status",
            "model_loaded",
            "model_path",
            "model_version",
            "vocabulary_size",
            "broker",
            "workers",
            "problems",
        ],
        "properties": {
            "status": {"type": "string", "enum": ["healthy", "degraded", "unhealthy"]},
            "model_loaded": {"type": "boolean"},
            "model_path": {"type": "string", "nullable": True},
            "model_version": {"type": "string", "nullable": True},
            "vocabulary_size": {"type": "integer", "nullable": True},
            "broker": {"type": "string"},
            "workers": {"type": "array", "items": {"type": "object"}},
            "problems": {"type": "array", "items": {"type": "string"}},
        },
    },
    "ModelVersion": {
        "type": "object",
        "required": ["version"],
        "description": "a version's metadata.json (metrics, sha256, data window, …)",
        "properties": {"version": {"type": "string"}, "status": {"type": "string"}, "current": {"type": "boolean"}},
    },
    "Models": {
        "type": "object",
        "required": ["current", "versions"],
        "properties": {
            "current": {"type": "string", "nullable": True},
            "versions": {"type": "array", "items": _ref("ModelVersion")},
        },
    },
    "RetrainStarted": {
        "type": "object",
        "required": ["task_id", "status_url"],
        "properties": {"task_id": {"type": "string"}, "status_url": {"type": "string"}},
    },
    "RetrainStatus": {
        "type": "object",
        "required": ["task_id", "state"],
        "properties": {
            "task_id": {"type": "string"},
            "state": {"type": "string"},
            "result": {"type": "object", "nullable": True},
            "error": {"type": "string"},
        },
    },
    "RollbackRequest": {
        "type": "object",
        "properties": {"version": {"type": "string", "minLength": 1, "pattern": r"\S"}},
    },
    "Rollback": {
        "type": "object",
        "required": ["current_version", "previous_version"],
        "properties": {
            "current_version": {"type": "string"},
            "previous_version": {"type": "string", "nullable": True},
        },
    },
}

_BAD_REQUEST = _error("bad JSON, a wrong or missing field, an unknown sensitivity, a NUL character")
_TOO_LARGE = _error("body over 16 MB, message over 10,000 characters or batch over 10,000 messages")
_RATE_LIMITED = _error("over the per-client rate limit (only when RATE_LIMIT is set)")
_UNAVAILABLE = _error("Redis or the model is unavailable; answered at once")
_ADMIN_ERRORS = {
    "401": _error("missing or wrong X-API-Key"),
    "403": _error("admin endpoints are disabled: WEAVE_API_KEY is not set"),
    "429": _RATE_LIMITED,
}


def _path_id(name: str) -> list[dict[str, Any]]:
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}]


PATHS: dict[str, Any] = {
    "/predict": {
        "post": {
            "summary": "Score one message, waiting at most PREDICT_TIMEOUT_S",
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("PredictRequest")}}},
            "responses": {
                "200": _json(_ref("Prediction"), "the prediction"),
                "400": _BAD_REQUEST,
                "413": _TOO_LARGE,
                "429": _RATE_LIMITED,
                "503": _UNAVAILABLE,
                "504": _error("no worker answered in time; fetch the answer later at status_url"),
            },
        }
    },
    "/predict/result/{task_id}": {
        "get": {
            "summary": "The answer of a /predict that timed out",
            "parameters": _path_id("task_id"),
            "responses": {
                "200": _json(_ref("Prediction"), "the prediction"),
                "202": _json(_ref("Pending"), "not scored yet"),
                "404": _error("unknown or expired"),
                "429": _RATE_LIMITED,
                "503": _UNAVAILABLE,
            },
        }
    },
    "/predict/batch": {
        "post": {
            "summary": "Queue up to 10,000 messages; results in input order at status_url",
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("BatchRequest")}}},
            "responses": {
                "202": _json(_ref("BatchCreated"), "queued"),
                "400": _BAD_REQUEST,
                "413": _TOO_LARGE,
                "429": _RATE_LIMITED,
                "503": _UNAVAILABLE,
            },
        }
    },
    "/predict/batch/{batch_id}": {
        "get": {
            "summary": "A batch's progress and its results so far, in input order",
            "parameters": _path_id("batch_id"),
            "responses": {
                "200": _json(_ref("BatchStatus"), "the batch"),
                "404": _error("unknown or expired"),
                "429": _RATE_LIMITED,
                "503": _UNAVAILABLE,
            },
        }
    },
    "/health": {
        "get": {
            "summary": "Real checks of the broker, the registry and the workers' models",
            "responses": {
                "200": _json(_ref("Health"), "healthy or degraded (the problems say why)"),
                "503": _json(_ref("Health"), "unhealthy: Redis does not answer or no model is published"),
            },
        }
    },
    "/metrics": {
        "get": {
            "summary": "Prometheus metrics of every gateway process",
            "responses": {"200": {"description": "Prometheus text format", "content": {"text/plain": {}}}},
        }
    },
    "/models": {
        "get": {
            "summary": "Every version in the registry with its metadata",
            "responses": {"200": _json(_ref("Models"), "the registry")},
        }
    },
    "/models/current": {
        "get": {
            "summary": "The current version's metadata",
            "responses": {
                "200": _json(_ref("ModelVersion"), "the current version"),
                "404": _error("no model published yet"),
            },
        }
    },
    "/admin/retrain": {
        "post": {
            "summary": "Start a retrain on the training queue",
            "security": [{"apiKey": []}],
            "responses": {
                "202": _json(_ref("RetrainStarted"), "queued"),
                **_ADMIN_ERRORS,
                "503": _UNAVAILABLE,
            },
        }
    },
    "/admin/retrain/{task_id}": {
        "get": {
            "summary": "A retrain's state and, when finished, its summary",
            "security": [{"apiKey": []}],
            "parameters": _path_id("task_id"),
            "responses": {
                "200": _json(_ref("RetrainStatus"), "the retrain"),
                **_ADMIN_ERRORS,
                "404": _error("unknown or expired"),
                "503": _UNAVAILABLE,
            },
        }
    },
    "/admin/rollback": {
        "post": {
            "summary": "Make a version current (default: the published one before the current one)",
            "security": [{"apiKey": []}],
            "requestBody": {"required": False, "content": {"application/json": {"schema": _ref("RollbackRequest")}}},
            "responses": {
                "200": _json(_ref("Rollback"), "the pointer moved"),
                "400": _BAD_REQUEST,
                **_ADMIN_ERRORS,
                "404": _error("unknown version"),
                "409": _error("nothing to roll back to"),
                "503": _error("the registry is not writable here"),
            },
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "responses": {"200": {"description": "OpenAPI 3 document", "content": {"application/json": {}}}},
        }
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "weave-ml gateway",
        "version": __version__,
        "description": "SMS phishing (스미싱) scoring. Every error is JSON {error: {code, message, field?}}.",
    },
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
    },
}


@blueprint.get("/openapi.json")
def document() -> Any:
    return jsonify(DOCUMENT)
