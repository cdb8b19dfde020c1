"""Lightbend Config (the reference HOCON reader) over many files in one JVM."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.oracles import run_java


def lightbend_read(paths: Sequence[Path], *options: str) -> list[dict[str, Any]]:
    """Lightbend Config's reading of each file, in order.

    Each item is ``{"value": {...}}``, ``{"error": "..."}`` or ``{"unresolved": True}``.
    ``options`` are HoconDump's (``--resolve-noenv``, ``--no-includes``, ...).
    """
    if not paths:
        return []
    result = run_java("HoconDump", [*options, *(str(p) for p in paths)], needs_typesafe=True)
    if result.returncode != 0:
        raise AssertionError(f"HoconDump failed ({result.returncode}): {result.stderr}")
    lines = result.stdout.splitlines()
    assert len(lines) == len(paths), result.stderr
    return [json.loads(line) for line in lines]


def lightbend_read_texts(texts: Sequence[str], *options: str) -> list[dict[str, Any]]:
    """:func:`lightbend_read` for texts, written to temporary ``.conf`` files (UTF-8, newlines untouched)."""
    with tempfile.TemporaryDirectory(prefix="jitsi-secure-hocon-") as folder:
        paths = []
        for number, text in enumerate(texts):
            path = Path(folder) / f"case{number}.conf"
            path.write_text(text, encoding="utf-8", newline="")
            paths.append(path)
        return lightbend_read(paths, *options)
