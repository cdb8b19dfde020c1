"""Prosody's own config loader and luac, run as the judges of the Lua document.

``prosody_configs`` loads files with Prosody's ``core.configmanager`` (Debian ``prosody`` on ``lua5.4``)
through ``prosody_cfg_dump_batch.lua``, many files per process. Prosody's warning for a duplicate option
looks the line up by ``short_src``, which Lua truncates to 59 characters, and fails on longer paths
(a Prosody bug), so files are copied to short names in a temporary folder first unless asked not to.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.oracles import HERE, missing, require_program

PROSODY_LIB = Path("/usr/lib/prosody/core/configmanager.lua")
BATCH_SCRIPT = HERE / "prosody_cfg_dump_batch.lua"


def require_prosody() -> str:
    """The lua5.4 interpreter with Prosody's library present; skips (fails in CI) otherwise."""
    lua = require_program("lua5.4")
    if not PROSODY_LIB.exists():
        missing(f"{PROSODY_LIB} is absent (Debian package prosody)")
    return lua


def prosody_configs(
    paths: Sequence[Path], *, no_include: bool = True, env: Mapping[str, str] | None = None, copy: bool = True
) -> list[dict[str, Any]]:
    """Prosody's reading of each file: ``{"ok": True, "config": {...}, "warnings": [...]}`` or
    ``{"ok": False, "error": "..."}``. ``env`` is the whole environment the loader sees (``ENV_*``)."""
    lua = require_prosody()
    if not paths:
        return []
    with tempfile.TemporaryDirectory(prefix="jitsi-secure-prosody-") as tmp:
        names = [str(p) for p in paths]
        if copy:
            names = []
            for n, path in enumerate(paths):
                target = Path(tmp) / f"c{n}.cfg.lua"
                shutil.copyfile(path, target)
                names.append(str(target))
        args = [lua, str(BATCH_SCRIPT), *(["--no-include"] if no_include else []), *names]
        result = subprocess.run(args, capture_output=True, text=True, env=dict(env or {}), timeout=120, check=False)
    if result.returncode != 0:
        raise AssertionError(f"prosody_cfg_dump_batch.lua failed: {result.stderr}")
    lines = result.stdout.splitlines()
    assert len(lines) == len(paths), result.stderr
    return [json.loads(line) for line in lines]


def luac_accepts(text: str) -> tuple[bool, str]:
    """Whether ``luac5.4 -p`` accepts ``text`` as a Lua 5.4 chunk, and its message when not."""
    luac = require_program("luac5.4")
    result = subprocess.run([luac, "-p", "-"], input=text.encode("utf-8"), capture_output=True, timeout=30, check=False)
    return result.returncode == 0, result.stderr.decode("utf-8", "replace").strip()


def as_prosody_json(value: Any) -> Any:
    """Our ``evaluate()`` output in the dump script's JSON conventions: integral floats print as
    integers, an empty table (an empty section included) as ``[]``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, list):
        return [as_prosody_json(v) for v in value]
    if isinstance(value, dict):
        if not value:
            return []
        return {k: as_prosody_json(v) for k, v in value.items()}
    return value
