"""The ``jitsi-secure`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from jitsi_secure import __version__

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``jitsi-secure``."""
    parser = argparse.ArgumentParser(
        prog="jitsi-secure",
        description="Lock down a Jitsi Meet server (Secure Domain) with minimal, verified edits.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    parser.parse_args(argv)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
