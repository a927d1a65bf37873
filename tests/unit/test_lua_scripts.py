"""Redis scripts live in ``.lua`` files with a header naming their keys and arguments, loaded by one helper."""

import re
from pathlib import Path

import pytest

from weave_ml.connections import lua_source

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(path for path in (ROOT / "weave_ml").rglob("*.lua") if not path.name.endswith(".lib.lua"))
LIBRARIES = sorted((ROOT / "weave_ml").glob("*.lib.lua"))
PYTHON = [path for folder in ("weave_ml", "api", "workers") for path in (ROOT / folder).rglob("*.py")]


def test_there_are_scripts():
    assert SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_a_script_states_its_keys_and_arguments_in_its_header(script):
    header = []
    for line in script.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        header.append(line)
    assert any(re.match(r"-- KEYS:", line) for line in header), f"{script.name}: no '-- KEYS:' line in its header"
    assert any(re.match(r"-- ARGV:", line) for line in header), f"{script.name}: no '-- ARGV:' line in its header"
    assert any(re.match(r"-- Returns", line) for line in header), (
        f"{script.name}: its header does not say what it returns"
    )


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_a_script_is_loaded_through_the_one_helper(script):
    package = ".".join(script.parent.relative_to(ROOT).parts)
    callers = [
        path
        for path in PYTHON
        if "lua_script(" in (text := path.read_text(encoding="utf-8")) and f'"{script.name}"' in text
    ]
    assert callers, f"{script.name} is loaded by no lua_script call"
    assert all(f'"{package}"' in path.read_text(encoding="utf-8") for path in callers)


def test_no_python_module_holds_a_script_of_its_own():
    inline = [str(path.relative_to(ROOT)) for path in PYTHON if "redis.call(" in path.read_text(encoding="utf-8")]
    assert not inline


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda path: path.name)
def test_a_library_of_helpers_is_included_by_a_script_and_in_its_text_when_loaded(library):
    including = [script for script in SCRIPTS if f"-- include: {library.name}\n" in script.read_text(encoding="utf-8")]
    assert including, f"{library.name} is included by no script"
    for script in including:
        package = ".".join(script.parent.relative_to(ROOT).parts)
        loaded = lua_source(package, script.name)
        assert f"-- include: {library.name}" not in loaded and library.read_text(encoding="utf-8") in loaded


def test_every_library_of_helpers_sits_beside_the_loader():
    # lua_source looks for included files in weave_ml/ alone.
    assert sorted((ROOT / "weave_ml").rglob("*.lib.lua")) == LIBRARIES
