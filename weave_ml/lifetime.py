"""A process that dies with its parent, however the parent dies: the kernel's parent-death signal (Linux)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with(parent: int) -> Callable[[], None] | None:
    """Return a call that, run in a child of ``parent``, has the kernel SIGKILL the child when ``parent`` dies.

    Everything the call needs is made here, so it can run between fork and exec (a ``preexec_fn`` of a process with
    threads must not import, allocate much or take a lock). The signal is cleared at fork and survives ``exec``.
    A child whose parent is not ``parent`` any more when it runs (it died before the prctl: no signal would ever
    come) exits at once. Compared with the pid, not with 1: in a container the parent may well be pid 1. None where
    prctl does not exist (not Linux).
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    option, signum = ctypes.c_int(PR_SET_PDEATHSIG), ctypes.c_ulong(signal.SIGKILL)

    def arm() -> None:
        if prctl(option, signum) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:
            os._exit(1)

    return arm
