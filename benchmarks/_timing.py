"""Timing helpers shared by the benchmark scripts (imported as a sibling module: they run as scripts)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping, Sequence

__all__ = ["best_of", "print_scaling"]


def best_of(func: Callable[[], object], *, repeat: int = 3, min_time: float = 0.05) -> float:
    """Best time of ``repeat`` rounds, each looping until ``min_time`` has passed (seconds per call).

    The best round is the one the machine disturbed least, which is what a comparison wants.
    """
    best = float("inf")
    for _ in range(repeat):
        calls = 0
        start = time.perf_counter()
        while True:
            func()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        best = min(best, elapsed / calls)
    return best


def print_scaling(rows: Sequence[Mapping[str, float]], labels: Mapping[str, str]) -> None:
    """Print how each measured key grows from one input size to the next (rows: 1x, 10x, 100x)."""
    for label, key in labels.items():
        steps = " / ".join(f"{b[key] / a[key]:.1f}x" for a, b in itertools.pairwise(rows))
        print(f"\nScaling of our {label} per 10x input: {steps} (linear is 10x)")
