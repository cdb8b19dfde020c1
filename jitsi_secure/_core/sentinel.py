"""Named marker objects: a value that stands for "nothing here" where ``None`` is a real value.

A document lookup that finds ``null`` must not be confused with one that finds no key; such code
compares against a module-level marker made here, by identity (``found is MISSING``).
"""

from __future__ import annotations

from typing import final

__all__ = ["Sentinel"]


@final
class Sentinel:
    """A marker that is only ever equal to itself; ``repr`` is its name (for messages and debugging)."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name
