"""Prosody's own config loader and luac, run as the judges of the Lua document.

Two majors: 0.12 is Debian 12's ``prosody`` package, 13 the ``bookworm-backports`` package unpacked into
``/opt/prosody13`` by ``.ci/prosody13`` (``$PROSODY13_DIR`` elsewhere). :func:`prosody_install` gives
either one's programs and source folder (the ``prosody`` fixture of ``tests/conftest.py`` runs a test on
each). ``prosody_configs`` loads files with that major's ``core.configmanager`` on ``lua5.4`` through
``prosody_cfg_dump_batch.lua``, many files per process. Prosody's warning for a duplicate option
looks the line up by ``short_src``, which Lua truncates to 59 characters, and fails on longer paths
(a Prosody bug), so files are copied to short names in a temporary folder first unless asked not to.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.oracles import HERE, missing, require_program

PROSODY_LIB = Path("/usr/lib/prosody/core/configmanager.lua")
PROSODY13_DIR = Path(os.environ.get("PROSODY13_DIR", "/opt/prosody13"))
BATCH_SCRIPT = HERE / "prosody_cfg_dump_batch.lua"
#: The Prosody majors the tests judge with.
PROSODY_MAJORS = ("0.12", "13")


@dataclass(frozen=True)
class ProsodyInstall:
    """One Prosody major on this machine: ``version`` as ``SecureDomain.prosody_version`` takes it, its
    source folder (``core/configmanager.lua`` inside) and the command prefixes of its two programs."""

    major: str
    version: tuple[int, int]
    source: Path
    prosody: tuple[str, ...]
    prosodyctl: tuple[str, ...]


def prosody_install(major: str) -> ProsodyInstall:
    """Prosody ``major`` (``"0.12"`` or ``"13"``); skips (fails in CI) when it is not installed."""
    lua = require_program("lua5.4")
    if major == "0.12":
        if not PROSODY_LIB.exists():
            missing(f"{PROSODY_LIB} is absent (Debian package prosody)")
        prosody, prosodyctl = require_program("prosody"), require_program("prosodyctl")
        return ProsodyInstall(major, (0, 12), PROSODY_LIB.parents[1], (prosody,), (prosodyctl,))
    if major == "13":
        source = PROSODY13_DIR / "usr/lib/prosody"
        version = source / "prosody.version"
        if not version.is_file() or not version.read_text().startswith("13."):
            missing(f"Prosody 13 is not unpacked in {PROSODY13_DIR} (run .ci/prosody13 as root)")
        bin_dir = PROSODY13_DIR / "usr/bin"
        return ProsodyInstall(
            major, (13, 0), source, (lua, str(bin_dir / "prosody")), (lua, str(bin_dir / "prosodyctl"))
        )
    raise ValueError(f"unknown Prosody major {major!r}")


def require_prosody() -> str:
    """The lua5.4 interpreter with Prosody 0.12's library present; skips (fails in CI) otherwise."""
    prosody_install("0.12")
    return require_program("lua5.4")


def prosody_configs(
    paths: Sequence[Path],
    *,
    no_include: bool = True,
    env: Mapping[str, str] | None = None,
    copy: bool = True,
    major: str = "0.12",
    credential_fallback: str | None = None,
) -> list[dict[str, Any]]:
    """Prosody's reading of each file: ``{"ok": True, "config": {...}, "warnings": [...], "files": [...]}``
    or ``{"ok": False, "error": "..."}``. ``env`` is the whole environment the loader sees (``ENV_*``);
    ``major`` the Prosody whose loader reads; ``credential_fallback`` 13's mode without
    ``$CREDENTIALS_DIRECTORY`` (``"warn"`` as prosodyctl, ``"error"`` as the server, its default)."""
    install = prosody_install(major)
    lua = require_program("lua5.4")
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
        options = ["--source", str(install.source), *(["--no-include"] if no_include else [])]
        if credential_fallback is not None:
            options += ["--credential-fallback", credential_fallback]
        args = [lua, str(BATCH_SCRIPT), *options, *names]
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
