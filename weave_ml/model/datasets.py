"""Labelled message records and the readers for the file formats the CLI accepts."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

PHISHING = 1
NORMAL = 0


@dataclass(frozen=True)
class LabelledMessage:
    """One message with its label (1 phishing/spam, 0 normal) and where it came from."""

    message: str
    label: int
    sender: str | None = None
    source: str = ""
    # How much the message counts in training next to a reported one (1): a campaign's template is weaker evidence.
    weight: float = 1.0


FORMATS = ("uci", "jsonl", "csv")


class DatasetError(ValueError):
    """A data file cannot be read in the format asked for; the message names the file and line."""


def _label(value: object, where: str) -> int:
    text = str(value).strip().casefold()
    if text in {"1", "spam", "phishing", "true"}:
        return PHISHING
    if text in {"0", "ham", "normal", "false"}:
        return NORMAL
    raise DatasetError(f"{where}: label must be 1/0 (or spam/ham), got {value!r}")


def read_uci(path: Path) -> list[LabelledMessage]:
    """Read the UCI SMS Spam Collection layout: ``label<TAB>text`` per line, no quoting."""
    messages = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            label, tab, text = line.rstrip("\n").partition("\t")
            if not tab:
                raise DatasetError(f"{path}:{number}: expected label<TAB>text")
            messages.append(LabelledMessage(text, _label(label, f"{path}:{number}"), None, "uci"))
    return messages


def read_jsonl(path: Path) -> list[LabelledMessage]:
    """Read one JSON object per line with ``message``, ``label`` and optional ``sender``."""
    messages = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{where}: not JSON ({exc.msg})") from None
            if not isinstance(record, dict) or not isinstance(record.get("message"), str) or "label" not in record:
                raise DatasetError(f"{where}: expected an object with a string 'message' and a 'label'")
            messages.append(
                LabelledMessage(record["message"], _label(record["label"], where), record.get("sender"), "jsonl")
            )
    return messages


def read_csv(path: Path) -> list[LabelledMessage]:
    """Read a CSV file with a header and columns ``message,label[,sender]``."""
    messages = []
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"message", "label"} <= set(reader.fieldnames):
            raise DatasetError(f"{path}: the header must name the columns message and label")
        for number, record in enumerate(reader, 2):
            where = f"{path}:{number}"
            messages.append(
                LabelledMessage(record["message"], _label(record["label"], where), record.get("sender") or None, "csv")
            )
    return messages


def read(path: Path | str, data_format: str) -> list[LabelledMessage]:
    """Read a labelled data file in one of :data:`FORMATS`."""
    readers = {"uci": read_uci, "jsonl": read_jsonl, "csv": read_csv}
    if data_format not in readers:
        raise DatasetError(f"unknown format {data_format!r}; expected one of {', '.join(FORMATS)}")
    try:
        return readers[data_format](Path(path))
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise DatasetError(f"{path}: {exc.strerror}") from None
