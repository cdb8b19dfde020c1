"""The spelling of the keyword values ``true``, ``false`` and the format's null, written once for the
renderers of new text (Lua says ``nil`` where HOCON says ``null``)."""

from __future__ import annotations

__all__ = ["keyword"]


def keyword(value: object, *, null: str) -> str | None:
    """``"true"``/``"false"`` for the booleans, ``null`` for ``None``, and ``None`` for any other value
    (which the caller renders its own way)."""
    if value is None:
        return null
    if value is True:
        return "true"
    if value is False:
        return "false"
    return None
