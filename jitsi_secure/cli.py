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
from jitsi_secure._core.lock import DEFAULT_TIMEOUT
from jitsi_secure.errors import JitsiSecureError

__all__ = ["EXIT_CHANGES_NEEDED", "EXIT_ERROR", "EXIT_OK", "add_where_options", "build_parser", "main"]

EXIT_OK = 0
EXIT_CHANGES_NEEDED = 1
EXIT_ERROR = 2
#: What a shell reports for a program killed by SIGPIPE; Python handles the signal, so it says so itself.
EXIT_BROKEN_PIPE = 128 + 13

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
        _add_common_options(sub, migrate=verb == "migrate")
    from jitsi_secure import _doctor_commands, _user_commands

    _doctor_commands.add_parser(verbs)
    _user_commands.add_parser(verbs)
    return parser


def _add_common_options(parser: argparse.ArgumentParser, *, migrate: bool = False) -> None:
    add_where_options(parser)
    _add_what_options(parser, migrate=migrate)


def add_where_options(parser: argparse.ArgumentParser) -> None:
    """The options that say where the deployment's files are (shared by every verb that reads one)."""
    where = parser.add_argument_group("where the deployment is")
    where.add_argument("--root", default="/", metavar="DIR", help="prefix every path with DIR (an image, a test tree)")
    where.add_argument(
        "--layout",
        choices=("debian", "docker"),
        default="debian",
        help="debian: the packaged files under /etc (default); docker: docker-jitsi-meet's .env (--env-file)",
    )
    where.add_argument("--env-file", metavar="PATH", help="--layout docker: the compose project's .env file")
    where.add_argument("--domain", metavar="D", help="the main domain; found automatically when there is one host")
    where.add_argument("--prosody-config", metavar="F", help="Prosody host file (default conf.avail/<D>.cfg.lua)")
    where.add_argument("--meet-config", metavar="F", help="config.js (default /etc/jitsi/meet/<D>-config.js)")
    where.add_argument("--jicofo-config", metavar="F", help="jicofo.conf (default /etc/jitsi/jicofo/jicofo.conf)")
    where.add_argument("--jicofo-legacy-config", metavar="F", help="Jicofo's legacy sip-communicator.properties")
    where.add_argument("--jigasi-config", metavar="F", help="Jigasi's sip-communicator.properties")


def _add_what_options(parser: argparse.ArgumentParser, *, migrate: bool = False) -> None:
    what = parser.add_argument_group("what to set up")
    guests = what.add_mutually_exclusive_group()
    guests.add_argument("--guest-domain", metavar="G", help="the anonymous guest domain (default guest.<D>)")
    guests.add_argument("--no-guests", action="store_true", help="no guest domain: everyone needs an account")
    what.add_argument(
        "--to" if migrate else "--auth",
        dest="auth",
        choices=("internal", "jwt", "ldap"),
        required=migrate,
        default=None if migrate else "internal",
        help="the mode to move to" if migrate else
        "how registered users log in: Prosody accounts (default), JSON Web Tokens, or LDAP",
    )  # fmt: skip
    what.add_argument(
        "--guests",
        choices=("token-optional", "anonymous", "none"),
        help="who gets in without an account: a token host that lets clients without a token in "
        "(--auth jwt; allow_empty_token), an anonymous guest host (default), or nobody (as --no-guests)",
    )
    what.add_argument("--app-id", metavar="ID", help="--auth jwt: the tokens' app id (Prosody's app_id)")
    secret = what.add_mutually_exclusive_group()
    secret.add_argument("--app-secret-file", metavar="FILE", help="--auth jwt: file holding the shared app secret")
    secret.add_argument(
        "--asap-key-server", metavar="URL", help="--auth jwt: base URL of the token issuer's public keys"
    )
    secret.add_argument("--jwks-url", metavar="URL", help="--auth jwt: the issuer's JSON Web Key Set (cache_keys_url)")
    what.add_argument(
        "--secret-source",
        choices=("config", "file"),
        help="--app-secret-file: keep the secret in the host file (config, default) or, on Prosody 13 and "
        "newer, in a file of its own that the host file reads with FileContents (mode 0640, group prosody)",
    )
    what.add_argument(
        "--secret-path",
        metavar="PATH",
        help="--secret-source file: where the secret goes, as the deployment sees it "
        "(default /etc/prosody/certs/DOMAIN.app_secret)",
    )
    what.add_argument("--accepted-issuers", metavar="LIST", help="--auth jwt: comma-separated accepted iss claims")
    what.add_argument("--accepted-audiences", metavar="LIST", help="--auth jwt: comma-separated accepted aud claims")
    what.add_argument(
        "--wait-for-host", action="store_true", help="rooms wait for a host (muc_wait_for_host on the conference MUC)"
    )
    what.add_argument(
        "--token-moderators",
        action="store_true",
        help="--auth jwt: the token decides who is moderator (token_affiliation; Jicofo's auto-owner off)",
    )
    what.add_argument(
        "--auto-login",
        action=argparse.BooleanOptionalAction,
        help="Secure Domain: whether Jicofo remembers a login (enable-auto-login); default: left as it is",
    )
    what.add_argument(
        "--auth-lifetime",
        metavar="DURATION",
        help="Secure Domain: how long Jicofo's login lasts (authentication-lifetime, like '24 hours')",
    )
    what.add_argument("--allow-empty-token", action="store_true", help="--auth jwt: let clients without a token in")
    what.add_argument(
        "--jicofo-auth",
        choices=("jwt", "off"),
        help="--auth jwt: Jicofo stays out of authentication (default, upstream's token guide) or asks for a "
        "JWT login (the older Secure Domain page)",
    )
    what.add_argument(
        "--prosody-version",
        metavar="X.Y",
        help="the Prosody version the file is for, X.Y or a bare major like 13 (default: `prosodyctl about` when "
        "--root is /, else 0.12); "
        "13 and newer also disable DIGEST-MD5 and OAUTHBEARER on a password host",
    )
    what.add_argument("--jigasi-user", metavar="JID", help="the account Jigasi logs in with (user@D)")
    what.add_argument(
        "--jigasi-password-file", metavar="FILE", help="file holding Jigasi's password (never on the command line)"
    )
    out = parser.add_argument_group("output")
    out.add_argument("--backup", action="store_true", help="keep a .bak copy of every file changed (apply, revert)")
    out.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    out.add_argument(
        "--lock-timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"apply, revert: wait at most this long for another run on the deployment (default {DEFAULT_TIMEOUT:g})",
    )


def _seconds(text: str) -> float:
    """A number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds, 0 or more, not {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
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
