"""Java ``.properties`` files, read exactly as ``java.util.Properties.load`` reads them, edited losslessly.

Jicofo's legacy ``sip-communicator.properties`` and Jigasi's account settings are ``.properties``
files. Java reads them with ``Properties.load(InputStream)``: ISO-8859-1 bytes plus ``\\uXXXX``
escapes, so :func:`load_file` decodes files as ISO-8859-1 (which also round-trips every byte) and
values written by :meth:`PropertiesDocument.set` escape everything outside printable ASCII.

The document is a list of logical lines (entries, comments, blank lines) over the original text;
every byte belongs to exactly one line, and edits are splices of that text::

    doc = parse(text)
    doc = doc.set("org.jitsi.jigasi.xmpp.acc.ANONYMOUS_AUTH", "false")
    doc.render()          # the original text with one value changed (or a line uncommented/added)

Duplicate keys: Java keeps the last occurrence, so :meth:`~PropertiesDocument.get` and
:meth:`~PropertiesDocument.set` use the last one; :meth:`~PropertiesDocument.remove` removes all.
"""

from __future__ import annotations

from jitsi_secure._core.keyvalue import Blank, Comment, Entry
from jitsi_secure.formats.properties._document import ENCODING, PropertiesDocument, load_file, parse
from jitsi_secure.formats.properties._render import escape_key, escape_value, secret_spellings, to_latin1
from jitsi_secure.formats.properties._scanner import Line, unescape

__all__ = [
    "ENCODING",
    "Blank",
    "Comment",
    "Entry",
    "Line",
    "PropertiesDocument",
    "escape_key",
    "escape_value",
    "load_file",
    "parse",
    "secret_spellings",
    "to_latin1",
    "unescape",
]
