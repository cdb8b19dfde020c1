"""A higher recursion limit while deep parses run, shared safely between threads."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator

__all__ = ["recursion_limit_at_least"]


class _SharedLimit:
    """The process-wide limit, raised while any parse runs.

    The limit is one setting for the whole process. Saving and restoring it around each parse lets threads
    undo each other's changes (one "restores" a limit another raised and leaves it raised, or lowers it
    under a parse still running), so the parses in progress are counted: the first saves the limit, each
    raises it as far as it needs, the last puts back the saved one.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_progress = 0
        self.saved = 0

    def enter(self, needed: int) -> None:
        with self.lock:
            if self.in_progress == 0:
                self.saved = sys.getrecursionlimit()
            self.in_progress += 1
            if sys.getrecursionlimit() < needed:
                sys.setrecursionlimit(needed)

    def leave(self) -> None:
        with self.lock:
            self.in_progress -= 1
            if self.in_progress == 0:
                sys.setrecursionlimit(self.saved)


_SHARED = _SharedLimit()


@contextlib.contextmanager
def recursion_limit_at_least(frames: int) -> Iterator[None]:
    """Run the block with ``sys.getrecursionlimit()`` at least ``frames`` plus the caller's stack depth.

    When the last such block of any thread ends, the limit is what it was before the first began (a
    change that other code made in between is undone then too). Since Python 3.11 calls between Python
    functions do not use the C stack, so a higher limit cannot crash the interpreter.
    """
    _SHARED.enter(frames + _stack_depth())
    try:
        yield
    finally:
        _SHARED.leave()


def _stack_depth() -> int:
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return depth
