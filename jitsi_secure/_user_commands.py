"""``jitsi-secure user add|remove|list``: the accounts of the secured domain (see :mod:`jitsi_secure.accounts`).

The password is read here and nowhere else: the first line of standard input when it is not a
terminal, else a prompt asked twice. It is never an argument, of this program or of prosodyctl.
"""

from __future__ import annotations

import argparse
import getpass
import json
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from jitsi_secure._exit import EXIT_OK
from jitsi_secure._root import Root
from jitsi_secure.errors import JitsiSecureError

if TYPE_CHECKING:
    from jitsi_secure.secure_domain.spec import Secret

__all__ = ["add_parser", "run"]

#: Debian's Prosody ``data_path``.
DEFAULT_DATA_PATH = "/var/lib/prosody"

_ACTIONS = {
    "add": "create an account (password: first line of standard input, or asked twice on a terminal)",
    "remove": "delete an account and the data Prosody keeps for it",
    "list": "list the accounts of the domain (reads Prosody's data folder)",
}


class UserCommandError(JitsiSecureError):
    """A ``user`` command line that cannot be carried out as given."""


def add_parser(verbs: Any) -> None:
    """Add the ``user`` verb to the ``jitsi-secure`` sub-command set ``verbs``."""
    help_text = "manage the accounts that may create rooms: user add USER, user remove USER, user list"
    user = verbs.add_parser("user", help=help_text, description=help_text)
    actions = user.add_subparsers(dest="user_action", metavar="{add,remove,list}", required=True)
    for action, action_help in _ACTIONS.items():
        sub = actions.add_parser(action, help=action_help, description=action_help)
        if action != "list":
            sub.add_argument("user", metavar="USER", help="the user name (the part before @)")
        _add_options(sub, action)


def _add_options(parser: argparse.ArgumentParser, action: str) -> None:
    where = parser.add_argument_group("where the deployment is")
    where.add_argument("--root", default="/", metavar="DIR", help="prefix every path with DIR (an image, a test tree)")
    where.add_argument("--domain", metavar="D", help="the main domain; found automatically when there is one host")
    how = parser.add_argument_group("how to reach the accounts")
    if action != "list":
        way = how.add_mutually_exclusive_group()
        way.add_argument(
            "--prosodyctl",
            metavar="CMD",
            help="the prosodyctl command, split like a shell would (default: prosodyctl), e.g. "
            "'docker compose exec -T prosody prosodyctl --config /config/prosody.cfg.lua'",
        )
        way.add_argument(
            "--offline",
            action="store_true",
            help="no running Prosody: write or remove the account file under --data-path directly",
        )
    how.add_argument(
        "--data-path",
        metavar="DIR",
        help=f"Prosody's data_path, under --root (default {DEFAULT_DATA_PATH})"
        + ("" if action == "list" else "; with --offline"),
    )
    if action == "add":
        how.add_argument(
            "--prosody-config",
            metavar="F",
            help="the Prosody host file whose password_hash --offline follows (default conf.avail/<D>.cfg.lua)",
        )
        how.add_argument(
            "--password-hash",
            choices=("SHA-1", "SHA-256"),
            help="the SCRAM hash of the --offline account file (default: the host file's password_hash, else SHA-1)",
        )
    parser.add_argument_group("output").add_argument(
        "--json", action="store_true", help="print one JSON object instead of text"
    )


def run(args: argparse.Namespace, *, stdout: TextIO, stdin: TextIO) -> int:
    """Carry out ``jitsi-secure user ...``; raises :class:`JitsiSecureError` on failure."""
    # Imported here, not at the top: building the parser (``--help``) must stay cheap for every verb.
    from jitsi_secure import accounts
    from jitsi_secure.secure_domain.spec import validate_domain

    # Where things are: the rules shared with the Ansible module, in jitsi_secure.accounts.
    root = accounts.deployment_root(args.root)
    domain = validate_domain(args.domain) if args.domain else accounts.single_domain(root)
    action = args.user_action
    if action == "list":
        data_path = accounts.path_under_root(root, args.data_path or DEFAULT_DATA_PATH, what="data folder")
        users = accounts.list_users(domain, offline_data_path=data_path)
        if args.json:
            _print_json(stdout, action=action, domain=domain, users=users, data_path=Root(root).display(data_path))
        else:
            for name in users:
                print(name, file=stdout)
        return EXIT_OK

    offline = _offline_data_path(args, root)
    prosodyctl = None if offline is not None else _prosodyctl(args.prosodyctl)
    if offline is None:
        accounts.require_prosodyctl_reach(root, prosodyctl)
    if action == "add":
        node = accounts.validate_username(args.user)  # before asking for a password that would be wasted
        password = _read_password(stdin, f"{node}@{domain}")
        prosody_config = (
            accounts.prosody_host_file(root, domain, prosody_config=args.prosody_config)
            if offline is not None and not args.password_hash
            else None
        )
        result = accounts.add_user(
            node,
            domain,
            password,
            prosodyctl=prosodyctl,
            offline_data_path=offline,
            password_hash=args.password_hash,
            prosody_config=prosody_config,
        )
        done = "added"
    else:
        result = accounts.remove_user(args.user, domain, prosodyctl=prosodyctl, offline_data_path=offline)
        done = "removed"
    shown = Root(root).display(result.path) if result.path is not None else None
    if args.json:
        _print_json(
            stdout,
            action=action,
            user=result.user,
            domain=result.domain,
            jid=result.jid,
            method=result.method,
            file=shown,
            warnings=list(result.warnings),
        )
    else:
        where = f"offline: {shown}" if shown else "through prosodyctl"
        print(f"{done} {result.jid} ({where})", file=stdout)
        for warning in result.warnings:
            print(f"warning: {warning}", file=stdout)
    return EXIT_OK


def _print_json(stdout: TextIO, *, action: str, **fields: Any) -> None:
    print(json.dumps({"verb": "user", "action": action, "ok": True, "exit": EXIT_OK, **fields}, indent=2), file=stdout)


def _read_password(stdin: TextIO, jid: str) -> Secret:
    from jitsi_secure.secure_domain.spec import Secret

    if stdin.isatty():
        try:
            first = getpass.getpass(f"Password for {jid}: ")
            again = getpass.getpass("Repeat the password: ")
        except EOFError:
            raise UserCommandError("no password given; nothing was changed") from None
        if again != first:
            raise UserCommandError("the two passwords differ; nothing was changed")
        return Secret(first)
    # Read bytes where possible: a UTF-8 password must not depend on the locale of a build container.
    buffer = getattr(stdin, "buffer", None)
    if buffer is not None:
        raw = buffer.readline()
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise UserCommandError("the password on standard input is not UTF-8") from None
    else:
        line = stdin.readline()
    if not line:
        raise UserCommandError("no password: give it as the first line of standard input (or run on a terminal)")
    line = line.removesuffix("\n").removesuffix("\r")
    return Secret(line)


def _offline_data_path(args: argparse.Namespace, root: Path) -> Path | None:
    from jitsi_secure.accounts import path_under_root

    if not args.offline:
        if args.data_path is not None:
            raise UserCommandError("--data-path goes with --offline (prosodyctl knows its own data folder)")
        return None
    return path_under_root(root, args.data_path or DEFAULT_DATA_PATH, what="data folder")


def _prosodyctl(command: str | None) -> list[str] | None:
    if command is None:
        return None
    try:
        parts = shlex.split(command)
    except ValueError as exc:
        raise UserCommandError(f"cannot split --prosodyctl {command!r}: {exc}") from None
    if not parts:
        raise UserCommandError("--prosodyctl is empty")
    return parts
