"""Validation of request bodies against the contract's models, and the OpenAPI document derived from the same models.

Every route is declared with :data:`spec`'s ``validate``: its body model is checked before the view runs, and
its answers are listed in ``GET /openapi.json``. A body that fails is a 400 (or 413 when a documented size limit
is what failed) in the error contract, naming the field as ``messages[3].sender``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Request, current_app, request
from pydantic import BaseModel, ValidationError
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import InType, SecureType
from spectree.plugins.base import Context
from spectree.plugins.flask_plugin import FlaskPlugin
from typing_extensions import override

from api.contract import ErrorBody
from api.errors import ApiError
from weave_ml import __version__

# Errors a size limit of the contract raises: a message over MAX_MESSAGE_CHARS, a batch over MAX_BATCH.
_TOO_LARGE = {("message", "string_too_long"), ("messages", "too_long")}
# Errors that mean the value is not an object where the contract wants one.
_NOT_AN_OBJECT = {"model_type", "model_attributes_type", "dict_type"}


def field_path(location: Sequence[int | str]) -> str | None:
    """Return a pydantic error location as the contract names a field: ``messages[3].sender``, or None for the body."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f"{'.' if path else ''}{part}"
    return path or None


def refusal(error: ValidationError) -> ApiError:
    """Turn the first error of a failed validation into the answer: its status, code, field and a clear message."""
    first = error.errors(include_url=False)[0]
    location, kind = first["loc"], first["type"]
    if kind == "duplicate_id":
        id_field = f"messages[{first['ctx']['position']}].id"
        return ApiError(400, "duplicate_id", f"{id_field}: {first['msg']}", id_field)
    field = field_path(location)
    reason: str = first["msg"]
    message = f"{field or 'body'}: {reason[:1].lower()}{reason[1:]}"
    name = next((part for part in reversed(location) if isinstance(part, str)), None)
    if (name, kind) in _TOO_LARGE:
        return ApiError(413, "too_large", message, field)
    if kind in _NOT_AN_OBJECT:
        return ApiError(400, "invalid_body", f"{field or 'body'}: expected a JSON object", field)
    return ApiError(400, "invalid_field", message, field)


def json_body(raw: bytes) -> Any:
    """Parse a request body as JSON, or raise the 400 that says why it is not usable JSON."""
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise ApiError(400, "bad_json", "request body is not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ApiError(400, "bad_json", f"request body is not valid JSON: {exc.msg} at position {exc.pos}") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise ApiError(400, "bad_json", f"request body is not usable JSON: {exc}") from None
    except RecursionError:
        raise ApiError(400, "bad_json", "request body is nested too deeply") from None


class JsonRequest(Request):
    """A request whose body must be JSON: declared so (``Content-Type: application/json``) and parsed as such."""

    def get_json(self, force: bool = True, silent: bool = False, cache: bool = True) -> Any:
        """Return the body as a JSON object, None when there is no body; raise the 415 of a body declared as
        something else (a form, plain text) and the 400 of any other body that is not a JSON object."""
        raw = self.get_data(cache=cache)
        if not raw:
            return None
        if not self.is_json:
            raise ApiError(
                415,
                "unsupported_media_type",
                f"the body must be JSON sent as Content-Type: application/json, not {self.mimetype or 'undeclared'}",
            )
        body = json_body(raw)
        if not isinstance(body, dict):
            raise ApiError(400, "invalid_body", "request body must be a JSON object")
        return body


def _refuse_invalid_body(req: Any, resp: Any, error: Exception | None, instance: Any, adapter: Any) -> None:
    """Spectree's hook after request validation: answer a failed one in the error contract."""
    if not isinstance(error, ValidationError):
        return
    if not request.get_data():
        raise ApiError(400, "bad_json", "request body is empty: expected a JSON object")
    raise refusal(error)


class _DeclaredOnly(FlaskPlugin):
    """Spectree's Flask plugin, reading only the body model a route declares.

    The stock plugin copies every request's headers and parses its cookies and query string whether or not the
    route has a model for them: a third of its cost on the gateway's hottest path, for nothing.
    """

    @override
    def request_validation(self, request: Any, query: Any, json: Any, form: Any, headers: Any, cookies: Any) -> None:
        if query or form or headers or cookies:
            super().request_validation(request, query, json, form, headers, cookies)
            return
        body = self._body(request, json) if json else None
        request.context = Context(None, body, None, None, None)

    def _body(self, request: Any, model: Any) -> Any:
        """Validate the body straight from its bytes (pydantic parses the JSON itself); a body that fails goes the
        long way (``json.loads``, then the model), whose errors are the ones the contract names."""
        raw = request.get_data()
        if raw and request.is_json:
            try:
                return self.model_adapter.validate_json(model, raw)
            except self.model_adapter.validation_error:
                pass
        return self.model_adapter.validate_obj(model, request.get_json(silent=True) or {})


spec = SpecTree(
    "flask",
    backend=_DeclaredOnly,
    title="weave-ml gateway",
    version=__version__,
    description="SMS phishing (스미싱) scoring. Every error is JSON {error: {code, message, field?}}.",
    mode="strict",  # only what a route declares with spec.validate is in the document
    page_templates={},  # no bundled UI pages: they would load scripts from a CDN
    before=_refuse_invalid_body,
    validation_error_status=400,
    validation_error_model=ErrorBody,
    naming_strategy=lambda model: model.__name__,
    security_schemes=[
        SecurityScheme(
            name="apiKey", data=SecuritySchemeData(type=SecureType.API_KEY, field_in=InType.HEADER, name="X-API-Key")
        )
    ],
)


def answers(**codes: type[BaseModel] | None) -> Response:
    """The responses of a route, e.g. ``answers(HTTP_200=Prediction, HTTP_404=ErrorBody)``."""
    return Response(**codes)


# The answer of a route that takes a JSON body to a body of another media type.
TAKES_JSON: dict[str, type[BaseModel]] = {"HTTP_415": ErrorBody}


blueprint = Blueprint("contract", __name__)


@blueprint.get("/openapi.json")
@spec.validate(resp=Response(HTTP_200=None))
def document() -> Any:
    """This document"""
    return current_app.json.response(spec.spec)
