"""The ``jitsi-secure`` command line: ``plan``, ``apply``, ``check`` and ``revert``; ``migrate --to MODE``
(``apply`` under the name of moving a secured server to another mode in place); ``policy`` to read the
access policy; ``doctor`` to find known breakages; ``user`` for accounts.

Exit status: 0 done (``check``: everything as wanted), 1 (``check``) changes are needed or (``doctor``)
a warning or error was found,
2 an error (one message naming the file and line; nothing written). Installers rely on this surface.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from jitsi_secure import __version__
from jitsi_secure._exit import EXIT_BROKEN_PIPE, EXIT_CHANGES_NEEDED, EXIT_ERROR, EXIT_OK
from jitsi_secure._options import add_common_options, add_where_options
from jitsi_secure.errors import JitsiSecureError

__all__ = ["EXIT_CHANGES_NEEDED", "EXIT_ERROR", "EXIT_OK", "add_where_options", "build_parser", "main"]

_VERBS = {
    "plan": "show the changes as unified diffs (secrets masked); write nothing",
    "apply": "make the changes, safely; applying again changes nothing",
    "check": "exit 0 when the servers will enforce what is asked and every file is as wanted, 1 when not "
    "(each difference listed with the file and line that decides it), 2 on error",
    "revert": "undo the change: anonymous main host, no guest host, Jicofo authentication off",
    "policy": "print who may log in, create rooms and join, as the servers will enforce it (read-only)",
    "migrate": "move a secured server to another mode in place (--to jwt): apply with the smallest edits",
}


class _Parser(argparse.ArgumentParser):
    """argparse that exits with our error status (2 is also argparse's own) and no usage dump on stdout."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``jitsi-secure``."""
    parser = _Parser(
        prog="jitsi-secure",
        description="Lock down a Jitsi Meet server (Secure Domain): only registered users create rooms, "
        "guests join anonymously. Every file is edited minimally, verified by an independent reader "
        "and written atomically.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    verbs = parser.add_subparsers(
        dest="verb", metavar="{plan,apply,check,revert,policy,migrate,doctor,user}", required=True
    )
    for verb, help_text in _VERBS.items():
        sub = verbs.add_parser(verb, help=help_text, description=help_text)
        add_common_options(sub, migrate=verb == "migrate")
    from jitsi_secure import _doctor_commands, _user_commands

    _doctor_commands.add_parser(verbs)
    _user_commands.add_parser(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        # Imported here, not at the top: building the parser (``--help``) must stay cheap for every verb.
        if args.verb == "user":
            from jitsi_secure import _user_commands

            return _user_commands.run(args, stdout=sys.stdout, stdin=sys.stdin)
        from jitsi_secure import _commands

        return _commands.run(args, stdout=sys.stdout)
    except JitsiSecureError as error:
        return _fail(args, str(error))
    except KeyboardInterrupt:
        return _fail(args, "interrupted; nothing more was written")
    except BrokenPipeError:
        # The reader went away (`jitsi-secure check --json | head`): nothing left to say to it. Python
        # would complain again when it flushes stdout at exit, so stdout is pointed at /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as error:  # a bug, but the user still deserves one clear line, not a traceback
        if os.environ.get("JITSI_SECURE_DEBUG"):
            raise
        return _fail(
            args, f"internal error ({type(error).__name__}); please report it (JITSI_SECURE_DEBUG=1 shows details)"
        )


def _fail(args: argparse.Namespace, message: str, stream: TextIO | None = None) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"verb": args.verb, "ok": False, "exit": EXIT_ERROR, "error": message}), file=sys.stdout)
    else:
        print(f"jitsi-secure: error: {message}", file=stream or sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
