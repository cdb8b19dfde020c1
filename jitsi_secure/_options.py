"""The options the ``jitsi-secure`` verbs share: where the deployment is, and what to set up.

A leaf module, so a verb's own module (``doctor``'s, say) can add them to its parser without importing
the command line that imports it.
"""

from __future__ import annotations

import argparse

from jitsi_secure._core.lock import DEFAULT_TIMEOUT

__all__ = ["add_common_options", "add_where_options"]


def add_common_options(parser: argparse.ArgumentParser, *, migrate: bool = False) -> None:
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
        default=None,
        help="the mode to move to" if migrate else
        "how registered users log in: Prosody accounts, JSON Web Tokens, or LDAP (default: Prosody "
        "accounts; refused when the main host lets in tokens or a directory now, which must be named)",
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
    # argparse calls of one shape, here and below: `duplicates` pairs them; there is nothing to share.
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
