"""Parsing without the cyclic garbage collector's repeated scans."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

from jitsi_secure._core.process_setting import ProcessSetting

__all__ = ["cyclic_gc_paused"]


def _set_collecting(collecting: bool) -> None:
    if collecting:
        gc.enable()
    else:
        gc.disable()


_COLLECTING = ProcessSetting(gc.isenabled, _set_collecting)


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, then restore it as it was.

    A parse allocates many small objects (tokens, nodes, line records) that all live on and hold no
    reference cycles. The collector would rescan them again and again as they pile up, which made
    parsing large files grow faster than linearly (a quarter of the time on 1 MB inputs) while
    finding no garbage. Reference counting still frees everything as usual. Parses in several threads
    share the pause: the collector comes back when the last of them ends
    (:class:`~jitsi_secure._core.process_setting.ProcessSetting`).
    """
    with _COLLECTING.changed(gc.disable):
        yield
