"""MkDocs hooks: the pages derived from the code, so they cannot drift from it.

- ``configuration.md``: the settings' declarations (``weave_ml.settings.reference``) replace SETTINGS_MARKER.
- ``api.md``: the gateway's OpenAPI document, built from the Flask app as ``GET /openapi.json`` serves it (no Redis,
  no worker, no network), rendered as Markdown in place of OPENAPI_MARKER and published beside it as
  ``openapi.json``.
- ``changelog.md``: the repository's ``CHANGELOG.md``.
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

SETTINGS_MARKER = "<!-- settings reference -->"
OPENAPI_MARKER = "<!-- openapi reference -->"
ROOT = Path(__file__).resolve().parents[1]

# Sections of the API page, by path prefix (the first that matches); any other path goes under "Service".
SECTIONS = (
    ("/predict", "Scoring"),
    ("/admin/rollout", "Rollouts"),
    ("/admin/campaigns", "Campaigns"),
    ("/admin/reputation", "Reputation"),
    ("/admin", "Registry and retraining"),
)
SERVICE = "Service"


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document the gateway serves, built from a gateway app that opens no connection."""
    # The document needs no secret, but the Celery app the gateway is built with will not start without one.
    os.environ.setdefault("WEAVE_SECRET_KEYS", secrets.token_urlsafe(32))
    from api import create_app
    from api.openapi import spec
    from weave_ml.settings import Settings

    with tempfile.TemporaryDirectory() as models, create_app(Settings(model_dir=Path(models))).app_context():
        document: dict[str, Any] = json.loads(json.dumps(spec.spec))
    return document


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated files: the OpenAPI document and the changelog page."""
    document = json.dumps(openapi_document(), indent=2, ensure_ascii=False)
    files.append(File.generated(config, "openapi.json", content=document))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    files.append(File.generated(config, "changelog.md", content=changelog))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Put the derived references in place of their markers."""
    if SETTINGS_MARKER in markdown:
        from weave_ml.settings import reference

        markdown = markdown.replace(SETTINGS_MARKER, reference())
    if OPENAPI_MARKER in markdown:
        markdown = markdown.replace(OPENAPI_MARKER, render_openapi(openapi_document()))
    return markdown


def render_openapi(document: dict[str, Any]) -> str:
    """The document as Markdown: each operation under its section, then every schema it names."""
    sections: dict[str, list[str]] = {}
    for path, methods in document["paths"].items():
        section = next((title for prefix, title in SECTIONS if path.startswith(prefix)), SERVICE)
        for method, operation in methods.items():
            sections.setdefault(section, []).append(_operation(path, method, operation))
    order = [title for _, title in SECTIONS[:1]] + [SERVICE] + [title for _, title in SECTIONS[1:]]
    lines = [f"## {title}\n\n" + "\n".join(sections[title]) for title in order if title in sections]
    schemas = document["components"]["schemas"]
    lines.append("## Schemas\n\nEvery body and answer named above, as the document defines it.\n")
    lines += [_schema(name, schemas[name]) for name in sorted(schemas, key=str.lower)]
    return "\n".join(lines)


def _operation(path: str, method: str, operation: dict[str, Any]) -> str:
    lines = [f"### `{method.upper()} {path}`", "", operation.get("summary", "").strip()]
    if operation.get("description"):
        lines += ["", operation["description"].strip()]
    if operation.get("security"):
        lines += ["", "Needs the admin key in the header `X-API-Key` (401 without it, 403 when admin is disabled)."]
    parameters = operation.get("parameters", [])
    if parameters:
        lines += ["", "| parameter | in | type |", "| --- | --- | --- |"]
        lines += [f"| `{p['name']}` | {p['in']} | {_type(p.get('schema', {}))} |" for p in parameters]
    body = operation.get("requestBody")
    if body:
        lines += ["", f"Body: {_type(body['content']['application/json']['schema'])}"]
    lines += ["", "| status | answer |", "| --- | --- |"]
    for status in sorted(operation["responses"]):
        response = operation["responses"][status]
        content = response.get("content", {}).get("application/json")
        answer = _type(content["schema"]) if content else response.get("description", "")
        lines.append(f"| {status} {response.get('description', '')} | {answer} |")
    return "\n".join(lines) + "\n"


def _schema(name: str, schema: dict[str, Any]) -> str:
    lines = [f"### {name} {{#{_anchor(name)}}}", ""]
    if schema.get("description"):
        lines += [schema["description"].strip(), ""]
    properties = schema.get("properties", {})
    if not properties:
        return "\n".join([*lines, f"Type: {_type(schema)}", ""])
    required = set(schema.get("required", []))
    lines += ["| field | type | required | meaning |", "| --- | --- | --- | --- |"]
    for field, definition in properties.items():
        meaning = "; ".join(part for part in (definition.get("description", ""), _limits(definition)) if part)
        cells = (f"`{field}`", _type(definition), "yes" if field in required else "", " ".join(meaning.split()))
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _anchor(name: str) -> str:
    return "schema-" + re.sub(r"[^a-z0-9]+", "-", name.lower())


def _type(schema: dict[str, Any]) -> str:
    """A JSON Schema as a short type: a link to a named schema, ``[T]`` for an array, ``T or null``."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[`{name}`](#{_anchor(name)})"
    if "anyOf" in schema:
        return " or ".join(_type(option) for option in schema["anyOf"])
    if "enum" in schema:
        return " or ".join(f"`{json.dumps(value, ensure_ascii=False)}`" for value in schema["enum"])
    if schema.get("type") == "array":
        return f"[{_type(schema.get('items', {}))}]"
    if schema.get("type") == "object" and "additionalProperties" in schema:
        values = schema["additionalProperties"]
        return f"object of {_type(values) if isinstance(values, dict) else 'any'}"
    return f"`{schema['type']}`" if "type" in schema else "any"


def _limits(schema: dict[str, Any]) -> str:
    """The constraints of a field and of the options of its ``anyOf``: lengths, bounds, default."""
    found = []
    for option in [schema, *schema.get("anyOf", [])]:
        for key, text in (
            ("minLength", "at least {} characters"),
            ("maxLength", "at most {} characters"),
            ("minItems", "at least {} items"),
            ("maxItems", "at most {} items"),
            ("minimum", "from {}"),
            ("maximum", "up to {}"),
            ("exclusiveMinimum", "above {}"),
        ):
            if key in option:
                found.append(text.format(option[key]))
    if "default" in schema and schema["default"] is not None:
        found.append(f"default `{json.dumps(schema['default'], ensure_ascii=False)}`")
    return ", ".join(found)
