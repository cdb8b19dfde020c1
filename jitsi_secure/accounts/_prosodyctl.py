"""Changing accounts through ``prosodyctl`` (or any command prefix standing for it).

The password goes to prosodyctl on its standard input, twice (it asks twice), never in its arguments,
so it cannot be read from the process list; what prosodyctl prints is shown only without a line
holding it.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence

from jitsi_secure._spec import Secret
from jitsi_secure.accounts._errors import AccountError, AccountExistsError, AccountMissingError

__all__ = ["DEFAULT_PROSODYCTL", "change_through_prosodyctl", "run_prosodyctl"]

#: The command run when no other prosodyctl is given.
DEFAULT_PROSODYCTL: tuple[str, ...] = ("prosodyctl",)

# prosodyctl's output decorations around its password prompts (ANSI "hidden"/"reset").
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PROSODYCTL_TIMEOUT = 120.0


def change_through_prosodyctl(
    prosodyctl: Sequence[str] | None, command: str, jid: str, host: str, password: Secret | None, *, adding: bool
) -> tuple[str, ...]:
    """Run ``prosodyctl command jid``, the password (if any) on its standard input; its warnings.

    prosodyctl asks twice ("Enter new password", "Retype new password") and reads one line each time.
    """
    secret = password.reveal() if password is not None else None
    stdin = f"{secret}\n{secret}\n" if secret is not None else ""
    output = run_prosodyctl(prosodyctl, command, jid, stdin=stdin, secret=secret)
    return prosodyctl_warnings(output, host, adding=adding)


def run_prosodyctl(prosodyctl: Sequence[str] | None, command: str, jid: str, *, stdin: str, secret: str | None) -> str:
    """Run ``prefix + [command, jid]`` with ``stdin``; its output (no line holding ``secret``) or an error."""
    prefix = list(DEFAULT_PROSODYCTL if prosodyctl is None else prosodyctl)
    if not prefix or not all(isinstance(part, str) and part for part in prefix):
        raise AccountError("the prosodyctl command is empty")
    try:
        completed = subprocess.run(
            [*prefix, command, jid],
            input=stdin.encode("utf-8"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
            timeout=_PROSODYCTL_TIMEOUT,
        )
    except FileNotFoundError:
        raise AccountError(
            f"cannot run {prefix[0]!r}: not found (is Prosody installed? give the command with --prosodyctl, "
            "or write the account file with --offline)"
        ) from None
    except subprocess.TimeoutExpired:
        raise AccountError(
            f"{' '.join(prefix)} {command} {jid} did not finish within {_PROSODYCTL_TIMEOUT:g} s"
        ) from None
    except OSError as exc:
        raise AccountError(f"cannot run {prefix[0]!r}: {exc.strerror or exc}") from None
    # Decide on the whole output first; only what is shown is filtered for the password.
    output = _ANSI.sub("", completed.stdout.decode("utf-8", errors="replace"))
    if completed.returncode == 0:
        return output
    lowered = output.lower()
    # Prosody 0.12 words first, then 13's admin shell ("Error: User exists", "Error: No such user").
    if "already exists" in lowered or "error: user exists" in lowered:
        raise AccountExistsError(f"user {jid} already exists")
    if "does not exist" in lowered or "error: no such user" in lowered:
        raise AccountMissingError(f"user {jid} does not exist")
    if "error: no such host" in lowered:
        raise AccountError(f"prosodyctl does not know the host of {jid} (not in its configuration, or not enabled)")
    if "unable to connect to server" in lowered:
        raise AccountError(
            f"{' '.join(prefix)} {command} needs the running Prosody: Prosody 13 changes accounts through the "
            "server's admin shell (mod_admin_shell). Start Prosody, or write the account file with --offline"
        )
    detail = " / ".join(_meaningful_lines(output, secret)[-6:]) or "no output"
    raise AccountError(f"{' '.join(prefix)} {command} {jid} failed (exit {completed.returncode}): {detail}")


def _meaningful_lines(output: str, secret: str | None) -> list[str]:
    # prosodyctl does not echo the password, but a replacement command might: a line holding it is left
    # out whole, since masking a short password inside words would garble (and hint at) the rest.
    prompts = ("Enter new password:", "Retype new password:")
    lines = [line.strip() for line in output.splitlines()]
    return [
        "(a line holding the password was left out)" if secret and secret in line else line
        for line in lines
        if line and line not in prompts
    ]


def prosodyctl_warnings(output: str, host: str, *, adding: bool) -> tuple[str, ...]:
    # prosodyctl succeeds for a host it does not know, warning that the user cannot log in: pass that on
    # in our own words (its output is not repeated, so nothing it echoed can leak).
    if "is not listed in the configuration file" in output:
        consequence = ": the user cannot log in until the host is configured" if adding else ""
        return (f"prosodyctl does not know the host {host} (not in its configuration, or not enabled){consequence}",)
    return ()
