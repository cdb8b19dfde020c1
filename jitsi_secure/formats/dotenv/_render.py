"""Values written so that compose reads them back literally, quoted in the file's habit when it can."""

from __future__ import annotations

import re

from jitsi_secure.formats.dotenv._scanner import ANY_SPACE, Quote

__all__ = ["quote_value", "readers_disagree", "secret_spellings"]

# What needs escaping inside double quotes for compose to read a value back literally; a ``$`` only
# when something after it would make it a reference or an escape.
_DOUBLE_ESCAPES = re.compile(r'[\\"\n\r]|\$(?=[_a-zA-Z{$])')


def quote_value(value: str, *, prefer: Quote = "") -> str:
    """``value`` written so that compose (and python-dotenv) read it back literally.

    Unquoted when safe: no whitespace at either end, none but spaces inside, and none of
    ``# ' " $ \\``. Else single quotes, when ``value`` has no ``'``, ``\\`` or line break (compose
    substitutes nothing in single quotes: the choice for secrets). Else double quotes, escaping
    ``\\ " \\n \\r`` and a ``$`` that would start a reference. ``prefer`` keeps an existing style
    (``'`` or ``"``) when it can hold the value; a ``$`` goes in single quotes even where the value was
    double-quoted, since compose reads ``"\\$"`` as ``$`` and python-dotenv as ``\\$``.
    """
    single_ok = _single_ok(value)
    if prefer == '"' and "$" in value and single_ok:
        return f"'{value}'"
    if prefer == '"' or (prefer == "'" and not single_ok):
        return _double_quoted(value)
    if prefer == "'":
        return f"'{value}'"
    if _unquoted_ok(value):
        return value
    return f"'{value}'" if single_ok else _double_quoted(value)


def readers_disagree(value: str) -> bool:
    """Whether compose and python-dotenv would read :func:`quote_value`'s spelling of ``value`` differently,
    whatever quoting it keeps: ``value`` cannot go in single quotes (it holds ``'``, ``\\`` or a line
    break) and in double quotes one of its ``$`` needs the escape ``\\$`` (it comes before a letter,
    ``_``, ``{`` or ``$``), which compose reads as ``$`` and python-dotenv as ``\\$``."""
    return not _single_ok(value) and any(m.group().startswith("$") for m in _DOUBLE_ESCAPES.finditer(value))


def _single_ok(value: str) -> bool:
    return not any(c in value for c in "'\\\n\r")


def _unquoted_ok(value: str) -> bool:
    if value != value.strip(" "):
        return False
    return not any(c in "#'\"$\\" or (c != " " and (c.isspace() or c in ANY_SPACE)) for c in value)


def _double_quoted(value: str) -> str:
    escapes = {"\n": "\\n", "\r": "\\r", '"': '\\"', "\\": "\\\\", "$": "\\$"}
    return '"' + _DOUBLE_ESCAPES.sub(lambda m: escapes[m.group()[0]], value) + '"'


def secret_spellings(secret: str) -> set[str]:
    """How ``secret`` may be spelled in a ``.env`` file, for masking it in output: each quoted form the editor
    writes (the value as given is the caller's to mask too)."""
    return {quote_value(secret), quote_value(secret, prefer="'"), quote_value(secret, prefer='"')}
