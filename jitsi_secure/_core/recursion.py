"""A higher recursion limit while deep parses run, shared safely between threads
(:class:`~jitsi_secure._core.process_setting.ProcessSetting`)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from jitsi_secure._core.process_setting import ProcessSetting

__all__ = ["recursion_limit_at_least"]


_LIMIT = ProcessSetting(sys.getrecursionlimit, sys.setrecursionlimit)


@contextlib.contextmanager
def recursion_limit_at_least(frames: int) -> Iterator[None]:
    """Run the block with ``sys.getrecursionlimit()`` at least ``frames`` plus the caller's stack depth.

    When the last such block of any thread ends, the limit is what it was before the first began (a
    change that other code made in between is undone then too). Since Python 3.11 calls between Python
    functions do not use the C stack, so a higher limit cannot crash the interpreter.
    """
    needed = frames + _stack_depth()

    def raise_limit() -> None:
        if sys.getrecursionlimit() < needed:
            sys.setrecursionlimit(needed)

    with _LIMIT.changed(raise_limit):
        yield


def _stack_depth() -> int:
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return depth
