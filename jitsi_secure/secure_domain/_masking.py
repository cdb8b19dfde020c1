"""Secrets out of every output: errors, diffs and messages masked, each secret in every spelling a file may hold it."""

from __future__ import annotations

import re

from jitsi_secure.errors import JitsiSecureError, LocatedError
from jitsi_secure.formats import dotenv, hocon, js, lua, properties

__all__ = ["MASK", "mask_secret_looking", "masked_error", "spellings"]

MASK = "********"


def masked_error(error: JitsiSecureError, spellings: tuple[str, ...]) -> JitsiSecureError:
    """``error`` with every spelling of a secret masked in its message (the same error when none occurs)."""

    def mask(text: str) -> str:
        for secret in sorted(spellings, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    if isinstance(error, LocatedError):
        # The quoted line may also hold a secret nobody gave (a broken ``JWT_APP_SECRET='...`` line):
        # masked by its key's name, as in diffs.
        excerpt = mask_secret_looking(" " + mask(error.excerpt))[1:]
        if excerpt == error.excerpt and mask(error.message) == error.message:
            return error
        head = error.excerpt[: error.column - 1]
        column = len(mask(head)) + 1 if mask(head) != head else error.column
        return type(error)(
            mask(error.message),
            source=error.source,
            line=error.line,
            column=min(column, len(excerpt) + 1),
            excerpt=excerpt,
        )
    if not any(secret in str(error) for secret in spellings):
        return error
    try:
        return type(error)(mask(str(error)))
    except TypeError:  # an error class with another constructor: keep the kind, lose nothing secret
        return JitsiSecureError(mask(str(error)))


_SECRET_LOOKING = re.compile(
    r"^(?P<head>[-+ ].*?[A-Za-z0-9_.-]*(?:pass|PASS|Pass|secret|SECRET|Secret)[A-Za-z0-9_.-]*[\"']?[ \t]*[:=][ \t]*)"
    r"(?P<value>\S.*?)(?P<tail>[\r\n]*)$"
)


# Prosody 13's readers of another file (and of a systemd credential): the value names where the secret
# is, not the secret. Only one plain string argument with nothing after the call but `;` or `,`: any
# other text on the line (a concatenation, a comment, an escape) could carry a secret, so it stays masked.
_PLAIN_LUA_STRING = r"""(?:"[^"\\\n]*"|'[^'\\\n]*')"""
_READS_ANOTHER_FILE = re.compile(
    rf"(?:FileContents|FileLine|FileLines|Credential)[ \t]*(?:\([ \t]*{_PLAIN_LUA_STRING}[ \t]*\)|{_PLAIN_LUA_STRING})"
    r"[ \t;,]*"
)


def mask_secret_looking(line: str, *, lua: bool = False) -> str:
    """A diff line whose key looks like a password or secret, with its value masked.

    Context lines can hold secrets the spec never named (Jicofo's focus password, an old Jigasi
    password on revert); the exact values are masked too, but a name-based rule also catches a value
    no reader could find (in a commented-out line, say). In a Prosody config (``lua``), a value that
    only reads another file, ``app_secret = FileContents("/etc/prosody/certs/x")``, is shown: the
    path is no secret, and the admin needs to see where the secret will be read from.
    """
    match = _SECRET_LOOKING.match(line)
    if match is None or line.startswith(("+++", "---")):
        return line
    if lua and _READS_ANOTHER_FILE.fullmatch(match.group("value")):
        return line
    return match.group("head") + MASK + match.group("tail")


def spellings(secrets: set[str]) -> tuple[str, ...]:
    """Each secret in every spelling a file may hold it: as given, and as each format may write it."""
    spellings = set()
    for secret in secrets:
        spellings.add(secret)
        for format_module in (dotenv, hocon, js, lua, properties):
            spellings |= format_module.secret_spellings(secret)
    return tuple(spellings)
