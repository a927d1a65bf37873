"""The regression set no report can change: the golden set, the everyday evaluation part and frozen admin verdicts.

Users' verdicts steer retraining, so they can be used to poison it: a campaign that marks its own new lure variants
as normal would teach a candidate to pass them, and a gate measured on the same fresh reports would agree. The gate
therefore also measures on data no report can touch: the golden set (20% of the bundled data, never trained on),
the everyday evaluation part (ordinary text, never trained on) and every admin verdict (a report's ``status``)
seen by any run so far. An admin verdict is frozen the first time a run reads it: it is written to
``ML_MODEL_DIR/regression/verdicts.jsonl``, which outlives retrains and pruning, and neither a later report of the
same text nor a changed status alters it. Frozen texts are held out of training, as the golden set is.

The file holds what a report already holds and no more: the message text, the verdict, when it was frozen and by
which run. The sender is kept only as a stand-in number of the same kind (mobile, landline ...), the one thing
about it the model reads, so no phone number is copied.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

from weave_ml.model.datasets import LabelledMessage
from weave_ml.model.text import SenderKind, normalise, sender_kind

log = logging.getLogger(__name__)

DIRECTORY = "regression"
VERDICTS_FILE = "verdicts.jsonl"
SOURCE = "verdict:admin"
# Verdicts beyond this many are not frozen (and a warning says so): the set is read whole by every run.
MAX_VERDICTS = 200_000
# A number of each kind that reads back as that kind; what the model sees of a sender is its kind alone.
STAND_IN_SENDERS: dict[str, str | None] = {
    SenderKind.MOBILE.value: "010-0000-0000",
    SenderKind.LANDLINE.value: "02-000-0000",
    SenderKind.INTERNET_PHONE.value: "070-0000-0000",
    SenderKind.INTERNATIONAL.value: "+1 000 000 0000",
    SenderKind.SHORT_CODE.value: "1588-0000",
    SenderKind.UNKNOWN.value: None,
}


def normalised_digest(text: str) -> str:
    """Return the key of a text: identical texts after normalisation share it."""
    return hashlib.sha256(normalise(text).encode()).hexdigest()


def stand_in_sender(sender: str | None) -> str | None:
    """Return a made-up number of the same kind as ``sender`` (``None`` when its kind is unknown)."""
    return STAND_IN_SENDERS[sender_kind(sender).value]


class FrozenVerdicts:
    """Admin verdicts frozen in the registry, in the order they were first seen."""

    def __init__(self, registry_root: Path | str) -> None:
        self.path = Path(registry_root) / DIRECTORY / VERDICTS_FILE

    def load(self) -> list[LabelledMessage]:
        """Return every frozen verdict as a labelled message (source ``verdict:admin``); none when the file is new.

        A line that cannot be read is skipped with a warning rather than failing the run: the rest still guards.
        """
        if not self.path.is_file():
            return []
        messages = []
        with open(self.path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                try:
                    record = json.loads(line)
                    messages.append(LabelledMessage(record["message"], int(record["label"]), record["sender"], SOURCE))
                except (ValueError, KeyError, TypeError) as exc:
                    log.warning("%s:%d: frozen verdict skipped (%s)", self.path, number, exc)
        return messages

    def freeze(self, verdicts: Iterable[LabelledMessage], run_id: str) -> int:
        """Add the verdicts whose text is not frozen yet (the first verdict of a text stays); return how many.

        The file is rewritten whole to a temporary file, fsynced and renamed, so a crash leaves the old set.
        """
        frozen = self.load()
        known = {normalised_digest(m.message) for m in frozen}
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        added: list[str] = []
        for verdict in verdicts:
            key = normalised_digest(verdict.message)
            if key in known:
                continue
            if len(frozen) + len(added) >= MAX_VERDICTS:
                log.warning("regression set full (%d verdicts): newer admin verdicts are not frozen", MAX_VERDICTS)
                break
            known.add(key)
            record = {
                "message": verdict.message,
                "label": verdict.label,
                "sender": stand_in_sender(verdict.sender),
                "frozen_at": now,
                "run_id": run_id,
            }
            added.append(json.dumps(record, ensure_ascii=False))
        if added:
            self._append(added)
        return len(added)

    def _append(self, lines: Sequence[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        old = self.path.read_bytes() if self.path.is_file() else b""
        temporary = self.path.with_name(f".{VERDICTS_FILE}.{secrets.token_hex(4)}")
        with open(temporary, "wb") as handle:
            handle.write(old)
            handle.write(("\n".join(lines) + "\n").encode())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
