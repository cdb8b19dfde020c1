"""jitsi-meet's ``config.js`` (and ``interface_config.js``) as a lossless, editable document.

>>> doc = parse("var config = {\\n    hosts: {\\n        domain: 'meet.example.com',\\n"
...             "        // anonymousdomain: 'guest.example.com',\\n    },\\n};\\n")
>>> doc.get("hosts.domain")
'meet.example.com'
>>> print(doc.set("hosts.anonymousdomain", "guest.meet.example.com").render(), end="")
var config = {
    hosts: {
        domain: 'meet.example.com',
        anonymousdomain: 'guest.meet.example.com',
    },
};

Syntax comes from tree-sitter's JavaScript grammar (current JavaScript, as a classic script; imported
on first parse), read strictly: whatever it cannot parse is a :class:`~jitsi_secure.errors.ParseError`.
nginx SSI ``echo`` directives are read as nginx serves them, and what depends on one is non-literal.
Meaning (:meth:`ConfigJsDocument.to_dict`) is the value of the variable after the file's top-level
statements, as far as it is stated literally; computed values are
:class:`~jitsi_secure.formats.Computed` (``NonLiteral`` is its old name, kept as an alias). The
document is a :class:`~jitsi_secure.formats.Document`: ``edit(changes)`` makes a batch of changes as
one set of splices into the original text, checked by parsing the result once: its meaning must
differ from before by exactly the intended changes, or the edit raises
:class:`~jitsi_secure.errors.EditError` and nothing changes; ``applied`` lists the splices. An edited
document (:attr:`ConfigJsDocument.edited`) is also read by a second, independent parser (esprima,
:func:`read_independently`) before jitsi-secure writes it, once per batch.

The package's parts, each importing only those before it: nginx SSI, the text as served (``_ssi``);
the ESTree shape and its walk (``_estree``); esprima, the independent reader (``_esprima``, imported on
first use); the tree-sitter front-end (``_parser``); the records of values and where they are written,
with lookup and JavaScript equality (``_model``); the evaluator that builds them (``_meaning``); new
values in the file's style (``_render``); the splices of one change (``_edit``); the plan of one batch
(``_batch``); the document and :func:`parse` (``_document``); esprima's reading of an edited document
compared with the document's own (``_verify``; esprima itself is imported only to verify an edit).
"""

from __future__ import annotations

from jitsi_secure.formats.js._document import ConfigJsDocument, load_file, parse, variable_for
from jitsi_secure.formats.js._model import JsValue, NonLiteral
from jitsi_secure.formats.js._render import secret_spellings
from jitsi_secure.formats.js._verify import read_independently

__all__ = [
    "ConfigJsDocument",
    "JsValue",
    "NonLiteral",
    "load_file",
    "parse",
    "read_independently",
    "secret_spellings",
    "variable_for",
]
