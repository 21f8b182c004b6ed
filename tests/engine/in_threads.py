"""Threads that share one ``count()``: the helper of the engine's thread tests."""

from __future__ import annotations

import contextvars
import sys
import threading
from collections.abc import Callable


def in_threads(work: Callable[[], object], threads: int) -> None:
    """Run ``work`` in ``threads`` threads that share this thread's context (its open
    ``count()``), and once here while they run; return when all are done. The threads
    switch every microsecond meanwhile, so that a race on a count would show."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        started = [
            threading.Thread(target=contextvars.copy_context().run, args=(work,))
            for _ in range(threads)
        ]
        for t in started:
            t.start()
        work()
        for t in started:
            t.join()
    finally:
        sys.setswitchinterval(interval)
