"""A process-wide setting changed while parses run, shared safely between threads.

The recursion limit and the cyclic garbage collector are one setting for the whole process. Saving
and restoring one around each parse lets threads undo each other's changes (one "restores" a value
another changed and leaves it changed, or restores it under a parse still running). So the parses in
progress are counted: the first saves the setting, each changes it as it needs, the last puts back
the saved value.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

__all__ = ["ProcessSetting"]

T = TypeVar("T")


class ProcessSetting(Generic[T]):
    """One process-wide setting, read with ``read`` and put back with ``write``."""

    def __init__(self, read: Callable[[], T], write: Callable[[T], None]) -> None:
        self._read = read
        self._write = write
        self._lock = threading.Lock()
        self._in_progress = 0
        self._saved: tuple[T, ...] = ()  # the value before the first block, while blocks run

    @contextlib.contextmanager
    def changed(self, change: Callable[[], None]) -> Iterator[None]:
        """Run the block with ``change()`` made; when the last such block of any thread ends, the
        setting is what it was before the first began (a change other code made in between is undone
        then too)."""
        with self._lock:
            if self._in_progress == 0:
                self._saved = (self._read(),)
            self._in_progress += 1
            change()
        try:
            yield
        finally:
            with self._lock:
                self._in_progress -= 1
                if self._in_progress == 0:
                    (saved,) = self._saved
                    self._write(saved)
