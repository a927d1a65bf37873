"""Task bodies sealed in the broker: a kombu serializer that writes JSON encrypted with the deployment's secret.

A /predict task carries message texts and senders, and the broker's Redis keeps its data on disk (the production
broker runs with ``appendonly yes``): sealed, what reaches the disk is ciphertext (AES-GCM, weave_ml.keys). Celery
sends every task with it (``task_serializer``) and accepts nothing else, so a task written into the broker by
someone without the secret is refused, not run. Celery's remote control (reload broadcasts, Flower's ping and
inspect) uses the task serializer too, so every process that takes part needs the secret. Task events and results
carry no text and stay plain JSON (a task's texts appear there only as its ``argsrepr``).
"""

from __future__ import annotations

import json
from typing import Any

from kombu.serialization import register

from weave_ml import keys

NAME = "weave-sealed"
CONTENT_TYPE = "application/x-weave-sealed"


def dumps(body: Any) -> bytes:
    """Return a task body as sealed JSON."""
    return keys.current().seal(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    )


def loads(sealed: bytes | str) -> Any:
    """Return the task body :func:`dumps` sealed."""
    data = sealed if isinstance(sealed, bytes) else sealed.encode("latin-1")
    return json.loads(keys.current().open(data).decode("utf-8", "surrogatepass"))


def install() -> None:
    """Make the serializer known to kombu in this process (Celery's app configuration names it)."""
    register(NAME, dumps, loads, content_type=CONTENT_TYPE, content_encoding="binary")
