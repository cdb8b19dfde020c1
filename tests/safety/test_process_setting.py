"""Process-wide settings a parse changes (the recursion limit, the cyclic garbage collector) come back as
they were only when the last parse of any thread ends: one thread's end must not undo another's change."""

from __future__ import annotations

import gc
import sys
import threading

from jitsi_secure._core.gc_pause import cyclic_gc_paused
from jitsi_secure._core.process_setting import ProcessSetting
from jitsi_secure._core.recursion import recursion_limit_at_least


def test_overlapping_blocks_in_two_threads_restore_the_setting_once_the_last_ends() -> None:
    value = {"now": "original"}
    setting = ProcessSetting(lambda: value["now"], lambda v: value.__setitem__("now", v))
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[str] = []

    def first() -> None:
        with setting.changed(lambda: value.__setitem__("now", "changed")):
            first_in.set()
            second_in.wait()
        first_out.set()

    def second() -> None:
        first_in.wait()
        with setting.changed(lambda: value.__setitem__("now", "changed")):
            second_in.set()
            first_out.wait()
            seen.append(value["now"])  # the first block ended: still changed for this one

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == ["changed"]
    assert value["now"] == "original"


def test_the_collector_stays_paused_while_another_parse_runs() -> None:
    # Two threads' parses, interleaved as threads can: A starts, B starts, A ends, B ends.
    assert gc.isenabled()
    a, b = cyclic_gc_paused(), cyclic_gc_paused()
    a.__enter__()
    b.__enter__()
    a.__exit__(None, None, None)
    assert not gc.isenabled()  # B's parse still runs
    b.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_recursion_limit_is_raised_and_restored() -> None:
    before = sys.getrecursionlimit()
    with recursion_limit_at_least(before + 500):
        assert sys.getrecursionlimit() >= before + 500
    assert sys.getrecursionlimit() == before
