"""The error contract: every failure is JSON ``{"error": {"code", "message", "field"?}}``, never an HTML page."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error answered to the caller with a status, a machine-readable code and a clear message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.extra = status, code, message, field, extra
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        return {"error": error, **self.extra}


def unavailable(exc: Exception) -> ApiError:
    """The 503 of a request that needs Redis when Redis does not answer: at once, never a hang."""
    return ApiError(503, "broker_unavailable", f"the scoring queue is unavailable: {exc}")


def register(app: Flask) -> None:
    """Install handlers that turn every error into the JSON contract."""

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Any:
        return jsonify(error.body()), error.status, error.headers

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = {413: "too_large", 404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}.get(
            error.code or 500, "http_error"
        )
        message = {413: "request body too large", 429: f"rate limit exceeded: {error.description}"}.get(
            error.code or 500, error.description
        )
        # Keep what the exception adds (Allow on a 405, Retry-After), but answer JSON, not its HTML page.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return jsonify({"error": {"code": code, "message": message}}), error.code, headers

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        log.exception("unexpected error")
        return jsonify({"error": {"code": "internal", "message": "internal error"}}), 500
