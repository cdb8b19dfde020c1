"""``make demo``: secure a bundled example Debian deployment in a temporary folder, step by step.

:func:`build_example_tree` lays out the example files (``jitsi_secure/demo_files``) the way a Debian
Jitsi Meet server has them; tests and documentation use it too.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

__all__ = ["EXAMPLE_DOMAIN", "build_example_tree", "main"]

#: The host name the example deployment is configured for.
EXAMPLE_DOMAIN = "meet.example.com"

_TREE = {
    "prosody-host.cfg.lua": f"etc/prosody/conf.avail/{EXAMPLE_DOMAIN}.cfg.lua",
    "config.js": f"etc/jitsi/meet/{EXAMPLE_DOMAIN}-config.js",
    "jicofo.conf": "etc/jitsi/jicofo/jicofo.conf",
    "jicofo-sip-communicator.properties": "etc/jitsi/jicofo/sip-communicator.properties",
    "jigasi-sip-communicator.properties": "etc/jitsi/jigasi/sip-communicator.properties",
}


def build_example_tree(root: str | os.PathLike[str], *, jigasi: bool = True, jicofo_legacy: bool = True) -> Path:
    """Write the example deployment under ``root`` (Debian layout, ``conf.d`` link included); returns ``root``
    as a :class:`~pathlib.Path`."""
    root = Path(root)
    files = resources.files("jitsi_secure") / "demo_files"
    for name, target in _TREE.items():
        if (name.startswith("jigasi") and not jigasi) or (name.startswith("jicofo-") and not jicofo_legacy):
            continue
        path = root / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((files / name).read_bytes())
    link = root / f"etc/prosody/conf.d/{EXAMPLE_DOMAIN}.cfg.lua"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(Path("../conf.avail") / link.name)
    return root


def main() -> int:
    """Run doctor, plan, apply, check, doctor --fix and revert on a fresh example tree, printing each command
    and its output."""
    from jitsi_secure.cli import main as cli

    root = Path(tempfile.mkdtemp(prefix="jitsi-secure-demo-"))
    try:
        build_example_tree(root)
        password_file = root / "jigasi-password"
        password_file.write_text("s3cret: not shown anywhere\n")
        account = ["--jigasi-user", f"jigasi@{EXAMPLE_DOMAIN}", "--jigasi-password-file", str(password_file)]
        steps = [
            ("doctor", []),
            ("check", []),
            ("plan", account),
            ("apply", account),
            ("apply", account),
            ("check", account),
            ("doctor", ["--fix"]),
            ("revert", []),
            ("check", []),
        ]
        for verb, extra in steps:
            argv = [verb, "--root", str(root), *extra]
            print(f"\n$ jitsi-secure {' '.join(argv)}", flush=True)
            status = cli(argv)
            print(f"[exit {status}]", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
