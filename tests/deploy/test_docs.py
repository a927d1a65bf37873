"""The manual builds in strict mode, its derived pages hold everything they derive from, and the README stays a front
door whose links all lead somewhere."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import ROOT
from weave_ml.settings import VARIABLES

README_MAX_LINES = 200
# A script, image or frame loaded from another host, or a stylesheet or font linked from one.
EXTERNAL = re.compile(r"<(?:script|img|iframe)[^>]+src=\"(?:https?:)?//[^\"]+|<link[^>]+href=\"(?:https?:)?//")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The manual built in strict mode (a broken link, anchor or nav entry fails), as `make docs` builds it."""
    out = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"), "-d", out],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    return out


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def test_the_configuration_page_lists_every_variable_with_its_default(site):
    page = _text(site / "configuration.html")
    for variable in VARIABLES.values():
        assert variable.env in page, variable.env
        assert variable.default_text.replace("`", "") in page, variable.env


def test_variables_are_listed_only_by_their_declarations():
    source = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    written = set(re.findall(r"^\| `([A-Z_]+)`", source, re.MULTILINE))
    assert not written & set(VARIABLES), "a setting's row is rendered from weave_ml/settings.py, not written by hand"


def test_the_api_page_holds_every_operation_of_the_gateways_document(site):
    document = json.loads((site / "openapi.json").read_text(encoding="utf-8"))
    page = _text(site / "api.html")
    operations = [f"{method.upper()} {path}" for path, methods in document["paths"].items() for method in methods]
    assert "POST /predict" in operations and "GET /admin/rollout" in operations
    missing = [operation for operation in operations if operation not in page]
    assert not missing
    assert all(name in page for name in document["components"]["schemas"])


def test_the_site_loads_nothing_from_elsewhere(site):
    for page in site.rglob("*.html"):
        external = EXTERNAL.findall(page.read_text(encoding="utf-8"))
        assert not external, (page.name, external)


def test_the_readme_is_a_front_door():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES


def test_every_link_of_the_readme_leads_to_a_file():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    assert targets
    local = [target.split("#")[0] for target in targets if not re.match(r"[a-z]+:", target)]
    missing = [target for target in local if not (ROOT / target).is_file()]
    assert not missing
