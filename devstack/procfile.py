"""The Procfile, the one place each process's command line is written: ``make run``, tests, bench and images read it."""

from __future__ import annotations

import re
from pathlib import Path

from devstack import ROOT

PROCFILE = ROOT / "Procfile"
_ENTRY = re.compile(r"^(?P<name>[a-z0-9_-]+):\s*(?P<line>\S.*)$")


def processes(path: Path = PROCFILE) -> dict[str, str]:
    """Return the Procfile's processes in file order: name → command line."""
    found: dict[str, str] = {}
    for number, text in enumerate(path.read_text().splitlines(), 1):
        if not text.strip() or text.startswith("#"):
            continue
        entry = _ENTRY.match(text)
        if entry is None:
            raise ValueError(f"{path}:{number}: not a 'name: command' line: {text!r}")
        found[entry["name"]] = entry["line"]
    return found


def shell(line: str) -> list[str]:
    """Return the argv running ``line`` as deploy/entrypoint.sh does: the environment fills its variables, and the
    command replaces the shell, so it gets the signals sent to the process."""
    return ["sh", "-c", f"exec {line}"]


def command(name: str) -> list[str]:
    """Return the argv of the Procfile process ``name``."""
    return shell(processes()[name])
