"""docker-jitsi-meet's ``.env``, read as Docker Compose v2 reads it, edited losslessly.

Compose reads ``.env`` with the ``dotenv`` package of ``compose-go`` (``ParseWithLookup``); this module
follows that parser, rule for rule:

* A UTF-8 BOM at the start is ignored. Only ``\\n`` ends a line; ``\\r`` is whitespace, so CRLF files
  read like LF files. Blank lines and lines whose first non-blank character is ``#`` are skipped.
* A statement is ``[export ]KEY=VALUE``. ``export`` followed by whitespace is dropped. ``:`` works as
  well as ``=`` (``KEY: value``). Whitespace around the separator is allowed and ignored. A key may
  hold letters, digits (Unicode ones too), ``_ . - [ ]``; any other character is an error, and so is
  a space inside the key. ``KEY`` alone on its line (no separator) takes the variable from the
  environment, if set there: it never removes a value read earlier.
* Unquoted values run to the end of the line; `` #`` (a *space* then ``#``) starts a comment, a ``#``
  with no space before it is part of the value (``a#b``), leading and trailing whitespace is dropped.
  Careful: compose drops the whitespace after ``=`` *before* looking for `` #``, so ``KEY= # note``
  reads ``# note``.
* ``'single quoted'`` values are literal: no escapes (``\\'`` is a quote, any other backslash stays)
  and no interpolation. ``"double quoted"`` values decode ``\\a \\b \\f \\n \\r \\t \\v \\" \\\\ \\$``
  and ``\\0NNN`` (octal); any other backslash stays. Both kinds may span lines. After the closing
  quote only whitespace and a ``# comment`` may follow on the line.
* Unquoted and double-quoted values are interpolated: ``$NAME``, ``${NAME}``, ``${NAME:-default}``
  and the other shell forms; ``$$`` (and ``\\$`` inside double quotes) is a literal ``$``. A ``${``
  that is none of those forms is an error. See :mod:`jitsi_secure.formats.dotenv._meaning`.
* Duplicate keys: the last one wins. An unterminated quote or a bad key raises
  :class:`~jitsi_secure.errors.ParseError` with line and column.

Reading without interpolation (the default): :meth:`DotenvDocument.get` and
:meth:`~DotenvDocument.to_dict` give each value with its quotes and escapes undone and its references
kept as written: ``PUBLIC_URL=https://meet.example.com:${HTTPS_PORT}`` reads
``https://meet.example.com:${HTTPS_PORT}``. ``$$`` and ``\\$`` read as ``$``, so such a value is only
what compose ends up with when :attr:`Entry.literal` is true. ``to_dict(resolve=True, environ=...)``
substitutes as compose does: a reference is looked up in ``environ`` first, then in the values read
above it in the file (unset: empty string); a bare ``KEY`` line takes ``environ[KEY]`` when present.

Values written by :meth:`DotenvDocument.set` are literal: compose reads exactly the string given, never
a substitution. They stay unquoted when that is safe, else go in single quotes (literal, best for
secrets), else in double quotes with escapes; the quoting of the value being replaced (or of the
commented-out example being uncommented) is kept when it can hold the new value.

Deviations from compose, all on text that no hand-written ``.env`` holds: a second statement after a
closing quote on the same line (``A="x" B=2``, which compose reads as two settings) is refused with a
``ParseError`` instead of guessed at; a bare ``KEY`` on the last line without a final newline is a bare
key here, where compose's parser reads it as the value of an empty key; ``${NAME...}`` with a nested
``}`` ends at the brace that balances it even where compose's regular expression would cut elsewhere.

The document is a list of lines (entries, comments, blank lines) tiling the text; every character
belongs to exactly one line, and edits are splices of that text::

    doc = parse(text)
    doc = doc.set("ENABLE_AUTH", "1")      # uncomments "#ENABLE_AUTH=1" in place
    doc.render()
"""

from __future__ import annotations

from jitsi_secure._core.keyvalue import Blank, Comment
from jitsi_secure.formats.dotenv._document import DotenvDocument, load_file, parse
from jitsi_secure.formats.dotenv._render import quote_value, readers_disagree, secret_spellings
from jitsi_secure.formats.dotenv._scanner import Entry, Line

__all__ = [
    "Blank",
    "Comment",
    "DotenvDocument",
    "Entry",
    "Line",
    "load_file",
    "parse",
    "quote_value",
    "readers_disagree",
    "secret_spellings",
]
