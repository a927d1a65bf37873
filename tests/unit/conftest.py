"""Guards of the unit tier: no server to talk to, no full-size model to train.

While the unit tests run, every network connection (anything but a Unix socket) is refused, and a test that tried
one fails even where the code under test shrugs the refusal off; a test that means its servers to be unreachable
asks for ``refused_connections``. Fitting a model on more than ``MAX_TRAINING_MESSAGES`` messages fails at once.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from weave_ml.model import pipeline
from weave_ml.model.datasets import LabelledMessage

# The models of the unit tests fit in seconds (tests/conftest.py's take 1,200 messages); the default model learns
# from tens of thousands.
MAX_TRAINING_MESSAGES = 2_000
NO_SERVER = "unit tests have no server to talk to (a test that needs Redis or MongoDB belongs in tests/integration)"
SMALL_MODELS = (
    f"unit tests fit models on at most {MAX_TRAINING_MESSAGES:,} messages "
    "(a test that trains a full-size model belongs in tests/quality)"
)

# Addresses refused since the last unit test ended (a module's fixtures count towards its first test).
_refused: list[Any] = []


@pytest.fixture(scope="package", autouse=True)
def _unit_guards() -> Iterator[None]:
    connect, connect_ex, train = socket.socket.connect, socket.socket.connect_ex, pipeline.train

    def refuse(sock: socket.socket, address: Any) -> None:
        if sock.family == socket.AF_UNIX:
            return connect(sock, address)
        _refused.append(address)
        raise ConnectionRefusedError(errno.ECONNREFUSED, f"{address} refused: {NO_SERVER}")

    def refuse_ex(sock: socket.socket, address: Any) -> int:
        if sock.family == socket.AF_UNIX:
            return connect_ex(sock, address)
        _refused.append(address)
        return errno.ECONNREFUSED

    def train_small(messages: Sequence[LabelledMessage], *args: Any, **kwargs: Any) -> Any:
        if len(messages) > MAX_TRAINING_MESSAGES:
            pytest.fail(f"a model fitted on {len(messages):,} messages: {SMALL_MODELS}")
        return train(messages, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket.socket, "connect_ex", refuse_ex)
        patch.setattr(pipeline, "train", train_small)
        yield


@pytest.fixture(autouse=True)
def _no_connection_tried(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    tried = ", ".join(dict.fromkeys(map(str, _refused)))
    _refused.clear()
    if tried and "refused_connections" not in request.fixturenames:
        pytest.fail(f"tried to connect to {tried}: {NO_SERVER}")


@pytest.fixture
def refused_connections() -> list[Any]:
    """The addresses refused so far in this test, which expects nothing to answer there."""
    return _refused
