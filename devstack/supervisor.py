"""Keeps the processes of ``make run`` running: one that exits starts again, later each time it fails again soon."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import FrameType
from typing import TextIO

from weave_ml import lifetime

POLL_S = 0.2
STOP_TIMEOUT_S = 10.0


class Backoff:
    """The pause before a process starts again: doubled after each quick exit, back to the first after a long run."""

    def __init__(self, first_s: float = 1.0, longest_s: float = 30.0, healthy_after_s: float = 60.0) -> None:
        self.first_s, self.longest_s, self.healthy_after_s = first_s, longest_s, healthy_after_s
        self._next_s = first_s

    def pause_after(self, ran_for_s: float) -> float:
        """Return how long to wait before the next start of a process that exited after ``ran_for_s`` seconds."""
        if ran_for_s >= self.healthy_after_s:
            # It ran well for a while: this exit is a new incident, not the same failure again.
            self._next_s = self.first_s
        pause = self._next_s
        self._next_s = min(pause * 2, self.longest_s)
        return pause


class Child:
    """One supervised command: its process while it runs, and when it may start again once it has exited."""

    def __init__(self, name: str, argv: list[str]) -> None:
        self.name, self.argv = name, argv
        self.backoff = Backoff()
        self.popen: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.start_at = 0.0


class Supervisor:
    """Starts named commands, starts again each one that exits, and stops them all on SIGINT (Ctrl-C) or SIGTERM."""

    def __init__(self, env: Mapping[str, str], cwd: Path, out: TextIO = sys.stdout) -> None:
        self.env, self.cwd, self.out = env, cwd, out
        self.children: list[Child] = []
        self._relays: list[threading.Thread] = []
        self._print_lock = threading.Lock()
        self._stopping = False

    def add(self, name: str, argv: list[str]) -> None:
        self.children.append(Child(name, argv))

    def run(self) -> int:
        """Run the commands until SIGINT or SIGTERM, then stop them, the last added first; return 0."""
        previous = {sig: signal.signal(sig, self._request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for child in self.children:
                self._start(child)
            while not self._stopping:
                self._tend(time.monotonic())
                time.sleep(POLL_S)
        finally:
            for child in reversed(self.children):
                self._stop(child)
            for relay in self._relays:
                relay.join(timeout=1)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _request_stop(self, signum: int, frame: FrameType | None) -> None:
        self._stopping = True

    def _tend(self, now: float) -> None:
        for child in self.children:
            if child.popen is not None and child.popen.poll() is not None:
                ran_for_s = now - child.started_at
                pause = child.backoff.pause_after(ran_for_s)
                self._say(
                    "system",
                    f"{child.name} {_exit_reason(child.popen.returncode)} after {ran_for_s:.0f} s; "
                    f"starting it again in {pause:g} s",
                )
                _kill_group(child.popen.pid)  # what it left behind (a pool's processes) would outlive it
                child.popen, child.start_at = None, now + pause
            elif child.popen is None and now >= child.start_at:
                self._start(child)

    def _start(self, child: Child) -> None:
        # A session of its own: Ctrl-C reaches only this supervisor, which stops the processes in order, and what a
        # process leaves behind (granian's and Celery's pool processes) can be found by its group and killed. A session
        # of its own also means nothing reaches the process when this supervisor is SIGKILLed: the kernel's
        # parent-death signal does (see die_with_parent).
        child.popen = subprocess.Popen(
            child.argv,
            env=self.env,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent(),  # noqa: PLW1509 - it takes no lock and imports nothing (its docstring)
        )
        child.started_at = time.monotonic()
        self._say("system", f"{child.name} started with pid {child.popen.pid}")
        relay = threading.Thread(target=self._relay, args=(child.name, child.popen), daemon=True)
        relay.start()
        self._relays = [*(running for running in self._relays if running.is_alive()), relay]

    def _stop(self, child: Child) -> None:
        if child.popen is None:
            return
        if child.popen.poll() is None:
            child.popen.terminate()  # granian's and Celery's main processes stop their own in order
            try:
                child.popen.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._say("system", f"{child.name} did not stop within {STOP_TIMEOUT_S:g} s: killing it")
                child.popen.kill()
                child.popen.wait()
        _kill_group(child.popen.pid)
        self._say("system", f"{child.name} stopped")
        child.popen = None

    def _relay(self, name: str, popen: subprocess.Popen[bytes]) -> None:
        assert popen.stdout is not None
        for line in popen.stdout:
            self._say(name, line.decode(errors="replace").rstrip())
        popen.stdout.close()

    def _say(self, name: str, text: str) -> None:
        width = max(len(child.name) for child in self.children) if self.children else len(name)
        with self._print_lock:
            self.out.write(f"{time.strftime('%H:%M:%S')} {name:<{max(width, 6)}} | {text}\n")
            self.out.flush()


def die_with_parent() -> Callable[[], None] | None:
    """Return a ``preexec_fn`` after which the kernel SIGKILLs the child when this process dies, however it dies.

    Without it a supervisor killed by SIGKILL (or the OOM killer) leaves every process of its stack running: a scoring
    worker of a stopped stack went on taking another stack's tasks. The signal survives ``exec`` (each Procfile line
    runs as ``sh -c "exec …"``, so it reaches the real process); the gateway's server processes (api.serve) and
    Celery's pool processes carry the same signal, so a stack goes with its supervisor (tests/integration/
    test_make_run.py). The kernel sends it when the thread that started the child ends: the supervisor starts every
    child from its main thread. None where prctl does not exist (not Linux).
    """
    return lifetime.die_with(os.getpid())


def _exit_reason(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return f"exited with code {returncode}"


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # none of the group is left
        os.killpg(pgid, signal.SIGKILL)
